// A gate a lock request passes before its space decides: the permission of the teammates' machines that share
// the project (main/core/team/mesh-locks.ts plugs in here; without a gate, or for a space no teammate shares,
// the local lock manager decides alone, as before). The locks domain knows nothing of the mesh: only this port.
import type { LockInfo, LockMode } from '../../../shared/lock.js';
import type { ResolvedTarget } from './target-overlap.js';

export interface LockGateRequest {
  /** the space's root, and its open project (null: a folder, not an open project) */
  root: string;
  project: string | null;
  holder: string;
  mode: LockMode;
  target: ResolvedTarget;
  /** how long the request may wait for teammates' locks; 0 refuses at once */
  waitMs: number;
}

/** The mesh's permission for one request, held until the local lock it permitted is let go. */
export interface LockGatePass {
  /** the space granted the lock the pass permitted (its release lets the teammates' waiters in) */
  granted(lock: LockInfo): void;
  /** the space refused after all (or the request failed): the permission is given back at once */
  abandon(): void;
}

export interface LockGate {
  /**
   * Resolves with a pass once every linked teammate sharing the space permits the request, or null when no
   * teammate shares it; rejects with a DevMeshError (CONFLICT, naming the holders and their machines) when it
   * is refused or its wait runs out.
   */
  admit(request: LockGateRequest): Promise<LockGatePass | null>;
  /**
   * Several requests of one space, all or none, in one round (a task award's INTENT locks): null at once when
   * no teammate shares the space, else resolves with a pass per request (in order) once every linked teammate
   * permits them all. A conflict refuses at once (CONFLICT, naming the holders) and gives back what was
   * permitted; `waitMs` of the first request bounds the wait for the teammates' answers (TIMEOUT).
   */
  admitAll(requests: readonly LockGateRequest[]): Promise<LockGatePass[]> | null;
}
