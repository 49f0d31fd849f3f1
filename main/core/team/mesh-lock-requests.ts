// What the mesh lock protocol (mesh-lock-protocol.ts) takes and answers: a local agent's request for a lock or
// for the compare-and-set right on a state key, the grant, the notice that a request is refused or queued (with
// who blocks it), a conflict found at a heal; and any machine's request as a replier judges it (Ask).
import type { LockMode } from '../../../shared/lock.js';
import type { ResolvedTarget } from '../locks/target-overlap.js';
import type { HeldConflict } from './held-conflicts.js';
import type { Priority, ScopedClaim } from './mesh-lock-claims.js';
import type { Blocker, HeldClaim } from './lock-messages.js';

export interface Asker {
  requestId: string;
  /** the project key (or another scope every participant advertises) */
  projectKey: string;
  holder: string;
  holderName: string;
  /** true: wait for the blockers (queued); false: refuse at once if anyone blocks */
  wait: boolean;
}
export interface MeshLockRequest extends Asker {
  mode: LockMode;
  target: ResolvedTarget;
}
export interface MeshStateRequest extends Asker {
  key: string;
}

export interface MeshLockGrant {
  lock: HeldClaim;
  /** state claims: the newest version among this machine (read at the grant) and every replier, and whose */
  newest?: { version: number; machine: string };
}
export interface MeshLockBlocked {
  requestId: string;
  holder: string;
  /** who stands in the way, on which machine */
  blockers: Blocker[];
}
/** `mine` is held here, `theirs` on the other machine, at the same time */
export type MeshLockConflict = HeldConflict;

/** A request of another machine (or this one) as a replier judges it. */
export interface Ask extends Priority, ScopedClaim {
  holderName: string;
  wait: boolean;
  attempt: number;
}
