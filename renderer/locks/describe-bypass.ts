// A lock bypass (files.lock-bypassed) in one sentence, for the Locks view's alert and the toast on any view.
import type { LockBypassedEvent } from '../../shared/files.js';

const VERB = { create: 'created', update: 'changed', delete: 'deleted' } as const;

function holderText(h: LockBypassedEvent['holders'][number]): string {
  const who = h.holder === 'user' ? 'you' : h.holderName;
  return `${who} (${h.mode}${h.machine ? ` on ${h.machine}` : ''})`;
}

/** "fixer changed src/app.ts past the lock of reviewer (WRITE)": for the alert and the toast alike */
export function describeBypass(e: LockBypassedEvent): string {
  const writer = e.writer ? e.writer.name : 'someone in the project checkout';
  const holders = e.holders.map(holderText).join(', ');
  return `${writer} ${VERB[e.change]} ${e.path} past the lock of ${holders || 'another holder'}`;
}
