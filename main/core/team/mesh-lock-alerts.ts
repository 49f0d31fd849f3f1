// What this machine does when the mesh lock protocol finds two machines granted conflicting locks while they
// could not reach each other (found the moment the link came back, on both machines): an alert event every
// face shows, an audit entry, and a message from DevMesh to the local holder. Neither lock is taken away: the
// holders (agents or humans) decide who lets go. A lock granted while teammates were unreachable is audited as
// such when it is granted.
import type { AuditAppend } from '../../../shared/audit.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LockInfo } from '../../../shared/lock.js';
import type { TeamLockConflictEvent } from '../../../shared/team.js';
import type { HeldClaim } from './lock-messages.js';
import type { MeshLockConflict } from './mesh-lock-protocol.js';

export interface MeshLockAlertsDeps {
  /** a machine's name for its id (this machine's too) */
  machineName(machineId: string): string;
  emit(event: DevMeshEvent): void;
  /** an entry of a decision taken anyway (AuditTrail.observe: never throws) */
  audit(entry: AuditAppend): void;
  /** a message from DevMesh to a local holder; a holder that is no agent here is skipped */
  tell(holder: string, body: string): void;
  now?: () => number;
}

/** `WRITE on src/orders.ts`, or `state <key>` */
export function describeClaim(claim: HeldClaim['claim']): string {
  return claim.kind === 'state' ? `state ${claim.key}` : `${claim.mode} on ${claim.target.path || '.'}`;
}

/** the holder without the machine the mesh qualifies it with (`ana@<machine id>` → `ana`) */
export function holderOf(claim: HeldClaim): string {
  const at = claim.holder.lastIndexOf('@');
  return at < 0 ? claim.holder : claim.holder.slice(0, at);
}

export class MeshLockAlerts {
  constructor(private readonly deps: MeshLockAlertsDeps) {}

  conflict(c: MeshLockConflict): void {
    const mine = this.side(c.mine);
    const theirs = this.side(c.theirs);
    const event: TeamLockConflictEvent = {
      type: 'team.lock-conflict',
      ts: (this.deps.now ?? Date.now)(),
      project: c.mine.scope,
      mine,
      theirs,
    };
    this.deps.emit(event);
    this.deps.audit({
      actor: 'devmesh',
      kind: 'lock.mesh-conflict',
      subject: mine.what,
      data: { project: c.mine.scope, mine: { ...mine }, theirs: { ...theirs } },
    });
    this.deps.tell(
      holderOf(c.mine),
      `Lock conflict across the mesh: you hold ${mine.what} on ${mine.machine}, and ${theirs.holderName} holds ` +
        `${theirs.what} on ${theirs.machine}; both were granted while the machines could not reach each other. ` +
        `Agree with ${theirs.holderName} (send_message to ${theirs.holderName}@${theirs.machine}) who releases it.`,
    );
  }

  partitionedGrant(claim: HeldClaim): void {
    this.deps.audit({
      actor: holderOf(claim),
      kind: 'lock.partitioned',
      subject: describeClaim(claim.claim),
      data: { project: claim.scope, unreachable: claim.partitioned.map((m) => this.deps.machineName(m)) },
    });
  }

  /**
   * A lock granted here in one step without the mesh's permission (a task award's INTENT locks) that a teammate
   * refused: it holds a conflicting lock. Both stand; the local holder is told and the refusal audited.
   */
  refusedAfterGrant(lock: LockInfo, why: string): void {
    const target = lock.target.kind === 'glob' ? lock.target.pattern : lock.target.path;
    this.deps.audit({
      actor: lock.holder,
      kind: 'lock.mesh-refused',
      subject: `${lock.mode} on ${target}`,
      data: { lockId: lock.id, why },
    });
    this.deps.tell(
      lock.holder,
      `Your ${lock.mode} lock on ${target} (${lock.id}) was granted here, but a teammate's machine holds a ` +
        `conflicting lock: ${why}. Coordinate before you edit it.`,
    );
  }

  private side(claim: HeldClaim): TeamLockConflictEvent['mine'] {
    return {
      holder: holderOf(claim),
      holderName: claim.holderName,
      machineId: claim.machine,
      machine: this.deps.machineName(claim.machine),
      what: describeClaim(claim.claim),
      partitioned: claim.partitioned.map((m) => this.deps.machineName(m)),
    };
  }
}
