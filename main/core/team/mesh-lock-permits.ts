// The mesh's permissions a local lock holds. A request the gate admitted holds its permission from the local
// grant on (a conversion adds another); a lock taken without the gate gets one after (MeshLocks.taken). A
// local lock released or expired gives its permissions back to the protocol, and the claims the mesh granted
// while teammates were unreachable mark the local locks they back as partitioned.
import type { LockGatePass } from '../locks/lock-gate.js';
import type { HeldClaim } from './lock-messages.js';

export class MeshLockPermits {
  /** local lock id → the permissions (protocol request ids) it holds */
  private readonly permits = new Map<string, string[]>();
  /** requests the mesh permitted whose local grant has not come back yet: `holder\0target key` */
  private readonly admitted = new Set<string>();

  /** `release`: gives a permission back to the protocol (or withdraws the request) */
  constructor(private readonly release: (requestId: string) => void) {}

  /** the gate's pass for permission `id`, given to `holder` on the target with `targetKey` */
  pass(id: string, holder: string, targetKey: string): LockGatePass {
    const admitted = `${holder}\0${targetKey}`;
    this.admitted.add(admitted);
    return {
      granted: (lock) => {
        this.admitted.delete(admitted);
        this.permits.set(lock.id, [...(this.permits.get(lock.id) ?? []), id]);
      },
      abandon: () => {
        this.admitted.delete(admitted);
        this.release(id);
      },
    };
  }

  /** does local lock `lockId` hold a permission already? */
  holds(lockId: string): boolean {
    return this.permits.has(lockId);
  }

  /** was a request of `holder` on this target admitted, its local grant still to come back? */
  admittedFor(holder: string, targetKey: string): boolean {
    return this.admitted.has(`${holder}\0${targetKey}`);
  }

  /** a lock taken without the gate: the permission asked for after the grant */
  record(lockId: string, id: string): void {
    this.permits.set(lockId, [id]);
  }

  /** the local lock is released or expired: its permissions go back */
  letGo(lockId: string): void {
    const ids = this.permits.get(lockId);
    if (ids === undefined) return;
    this.permits.delete(lockId);
    for (const id of ids) this.release(id);
  }

  /** local lock id → the ids of the machines that were unreachable when the mesh granted it (marked ones only) */
  partitioned(claims: readonly HeldClaim[]): Map<string, string[]> {
    const marked = new Map<string, string[]>();
    for (const c of claims) if (c.partitioned.length > 0) marked.set(c.id, c.partitioned);
    const out = new Map<string, string[]>();
    if (marked.size === 0) return out;
    for (const [lockId, ids] of this.permits) {
      const machines = [...new Set(ids.flatMap((id) => marked.get(id) ?? []))];
      if (machines.length > 0) out.set(lockId, machines);
    }
    return out;
  }
}
