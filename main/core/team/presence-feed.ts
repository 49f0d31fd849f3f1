// This machine's side of the `presence` channel: what it last told its teammates, numbered. `refresh` reads
// the local presence again and answers the delta from the last one (null when nothing changed), with the
// next seq; `snapshot` is everything, at the current seq. The epoch is new at every start, so a teammate's
// replica of the previous run is replaced, not patched.
import { randomBytes } from 'node:crypto';
import type { TeamAgentState } from '../../../shared/team.js';
import type { LocalPresence } from './local-presence.js';
import type { PresenceDelta, PresenceSnapshot } from './presence-messages.js';

export class PresenceFeed {
  readonly epoch = randomBytes(8).toString('hex');
  private seq = 0;
  private last: LocalPresence | null = null;

  constructor(private readonly read: () => LocalPresence) {}

  /** the changes since the last refresh (or snapshot), or null when there are none */
  refresh(): PresenceDelta | null {
    const now = this.read();
    const before = this.last;
    this.last = now;
    if (before === null) return null; // nobody has been told anything yet: the first snapshot says it all
    const was = new Map(before.agents.map((a) => [a.id, a]));
    const upsert: TeamAgentState[] = [];
    for (const a of now.agents) if (!same(was.get(a.id), a)) upsert.push(a);
    const ids = new Set(now.agents.map((a) => a.id));
    const remove = before.agents.filter((a) => !ids.has(a.id)).map((a) => a.id);
    const human = now.human !== before.human ? now.human : undefined;
    const projects = same(before.projects, now.projects) ? undefined : now.projects;
    const locksChanged = !same(before.locks, now.locks) || before.locksLeftOff !== now.locksLeftOff;
    const locks = locksChanged ? { locks: now.locks, locksLeftOff: now.locksLeftOff } : undefined;
    if (upsert.length === 0 && remove.length === 0 && human === undefined && projects === undefined && !locks)
      return null;
    this.seq++;
    return {
      k: 'delta',
      epoch: this.epoch,
      seq: this.seq,
      ...(human !== undefined ? { human } : {}),
      ...(projects !== undefined ? { projects } : {}),
      ...locks,
      upsert,
      remove,
    };
  }

  /** everything, as of the last refresh (call refresh first so no change is in neither) */
  snapshot(): PresenceSnapshot {
    const state = (this.last ??= this.read());
    return { k: 'snapshot', epoch: this.epoch, seq: this.seq, ...state };
  }
}

function same(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
