// When two claims of the mesh-wide lock protocol stand in each other's way. Three questions, three rules:
// - blocks(held, requested): may `requested` be granted while `held` is held? The lock matrix, in its order
//   (lock-matrix.ts admits: INTENT held admits a later READ, READ held refuses a later INTENT).
// - contend(a, b): two pending requests, neither granted yet: either order of granting could be refused, so
//   the earlier priority goes first (lock-matrix.ts conflictsBothWays), as the local queue does.
// - clash(a, b): two claims found held at once when machines meet again (heal): no order of granting would
//   have admitted both. INTENT beside READ is a state the matrix reaches (INTENT first), so it is not raised.
// All three: only within one scope (project key), only between different holders for locks (a holder never
// conflicts with itself), and only on overlapping targets. A state key is exclusive, whoever asks.
import type { LockMode } from '../../../shared/lock.js';
import { admits, conflictsBothWays } from '../locks/lock-matrix.js';
import { overlaps } from '../locks/target-overlap.js';
import type { Claim } from './lock-messages.js';

export interface ScopedClaim {
  scope: string;
  holder: string;
  claim: Claim;
}

/** Ricart–Agrawala's priority: (Lamport stamp, machine id, request id), smallest first. */
export interface Priority {
  at: number;
  machine: string;
  id: string;
}

export function precedes(a: Priority, b: Priority): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.machine !== b.machine) return a.machine < b.machine;
  return a.id < b.id;
}

export function blocks(held: ScopedClaim, requested: ScopedClaim): boolean {
  return related(held, requested, (h, r) => !admits(h, r));
}

export function contend(a: ScopedClaim, b: ScopedClaim): boolean {
  return related(a, b, conflictsBothWays);
}

export function clash(a: ScopedClaim, b: ScopedClaim): boolean {
  return related(a, b, (x, y) => !admits(x, y) && !admits(y, x));
}

function related(a: ScopedClaim, b: ScopedClaim, modes: (x: LockMode, y: LockMode) => boolean): boolean {
  if (a.scope !== b.scope) return false;
  const [x, y] = [a.claim, b.claim];
  if (x.kind === 'state' || y.kind === 'state') return x.kind === 'state' && y.kind === 'state' && x.key === y.key;
  return a.holder !== b.holder && overlaps(x.target, y.target) && modes(x.mode, y.mode);
}
