// How the lock manager names locks and refusals to people: "WRITE src/x.ts", "READ src/ (dir)", and a refusal
// that names every holder (and queued request) in the way and how to get past them.
import type { ErrorInfo } from '../../../shared/errors.js';
import type { LockMode } from '../../../shared/lock.js';
import type { ResolvedTarget } from './target-overlap.js';

interface Claim {
  holder: string;
  mode: LockMode;
  target: ResolvedTarget;
}

/** "WRITE src/x.ts", "READ src/ (dir)", "WRITE src/**\/*.ts (glob)" */
export function describe(mode: LockMode, target: ResolvedTarget): string {
  if (target.kind === 'file') return `${mode} ${target.path}`;
  if (target.kind === 'dir') return `${mode} ${target.path === '' ? '.' : target.path}/ (dir)`;
  return `${mode} ${target.path} (glob)`;
}

/** `holder` cannot take `mode` on `target`: `held` locks and `queued` requests stand in the way. */
export function refusal(want: Claim, isWords: string, held: readonly Claim[], queued: readonly Claim[]): ErrorInfo {
  const parts = [
    ...held.map((l) => `${l.holder} holds ${describe(l.mode, l.target)}`),
    ...queued.map((w) => `${w.holder} is queued ahead for ${describe(w.mode, w.target)}`),
  ];
  const names = [...new Set([...held.map((l) => l.holder), ...queued.map((w) => w.holder)])];
  const wanted = describe(want.mode, want.target);
  return {
    code: 'CONFLICT',
    message: `${want.holder} cannot take ${wanted}: ${isWords} locked (${parts.join('; ')}). Wait and retry, or ask ${names.join(', ')} to release it`,
    details: { reason: 'lock-conflict', blockedBy: names },
  };
}
