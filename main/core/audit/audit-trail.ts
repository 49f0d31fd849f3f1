// The one way a decision reaches the audit chain. The code that decides (a lock granted or expired, a task
// step, an agent started, shared state set) records its entry here, at the decision:
// - `decide` runs a decision a caller waits for: refused up front while the chain cannot be written, undone
//   and refused when an entry it produced could not be stored, and its promise resolves only once its
//   entries are on disk (the chain's group commit: decisions in the same turn share one sync, AuditLog);
// - `record` appends an entry whose caller handles the refusal itself (it throws);
// - `observe` appends an entry of a decision that happens anyway. Inside a `decide` the failure is left to
//   it (it refuses and undoes); outside one (a lock expiring on a timer, a task abandoned because its agent
//   exited, a service crashing) the decision stands without its entry: that loss goes to the daemon's
//   health ledger, naming the lost entry, and to the log. It never throws: the decision has happened.
import type { Logger } from 'pino';
import type { AuditAppend } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { Disposable } from '../base/disposable.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import * as storageFailure from '../health/storage-failure.js';
import type { AuditLog } from './audit-log.js';

/** the health ledger's component for decisions taken without their entry */
export const UNRECORDED_COMPONENT = 'audit chain: unrecorded decisions';

export interface AuditTrailDeps {
  log: AuditLog;
  logger: Logger;
  health?: DaemonHealth;
  /** `$DEVMESH_HOME/audit.jsonl`, named in a failed sync's error */
  mirrorPath: string;
  /** the folder whose disk holds the chain */
  homeDir: string;
}

export class AuditTrail implements Disposable {
  /** decisions running synchronously right now (their entries' failures are theirs to handle) */
  private deciding = 0;
  private readonly following: Disposable | null;

  constructor(private readonly deps: AuditTrailDeps) {
    // the outage's end (its probe wrote the audit.outage entry that counts the lost decisions) clears the
    // problem too; after the ledger's own round of listeners, not inside it
    this.following =
      deps.health?.onDidChange(() => {
        if (deps.health?.has(UNRECORDED_COMPONENT) && !deps.log.failing) queueMicrotask(() => this.recovered());
      }) ?? null;
  }

  dispose(): void {
    this.following?.dispose();
  }

  /**
   * Runs a decision the chain must record. Resolves with its value once its entries are on disk; rejects,
   * with nothing changed, while the chain cannot be written; when an entry it produced could not be stored,
   * `undo` reverses the decision and the promise rejects: no decision is acknowledged without its entry.
   */
  async decide<T>(what: string, decision: () => T | Promise<T>, undo?: (value: T) => void | Promise<void>): Promise<T> {
    const log = this.deps.log;
    log.admit(what);
    const before = log.failures;
    let value: T;
    try {
      value = await this.running(decision);
    } catch (err) {
      // a refusal is a decision too (lock.refused): on disk before the caller hears of it
      await this.settled(what);
      throw err;
    }
    if (log.failures !== before) {
      try {
        await undo?.(value);
      } catch (err) {
        this.deps.logger.error(
          { domain: 'audit', what, err: (err as Error).message },
          'could not undo a decision the chain could not record',
        );
      }
      await this.settled(what); // the undo's own entries (the lock released again)
      throw log.refusal(what);
    }
    await this.settled(what);
    return value;
  }

  /** runs the decision's synchronous part marked as deciding (its entries' failures are its own) */
  private running<T>(decision: () => T | Promise<T>): T | Promise<T> {
    this.deciding++;
    try {
      return decision();
    } finally {
      this.deciding--;
    }
  }

  /** Resolves once every entry recorded so far is on disk (one sync shared by all who wait on it). */
  async settled(what = 'the call'): Promise<void> {
    const log = this.deps.log;
    if (!log.syncPending) return; // nothing written since the last sync: no extra turn of the event loop
    try {
      await log.durable();
    } catch (err) {
      throw storageFailure.toError(err, `${what}: the audit chain`, this.deps.mirrorPath, this.deps.homeDir);
    }
  }

  /** May a decision be taken now (the chain can record it)? For decisions timers take (awards). */
  canDecide(what: string): boolean {
    try {
      this.deps.log.admit(what);
      return true;
    } catch {
      return false;
    }
  }

  /** Appends an entry for a caller that refuses its own decision on failure: logged loudly and thrown. */
  record(entry: AuditAppend): void {
    try {
      this.deps.log.append(entry);
    } catch (err) {
      this.deps.logger.error(
        { domain: 'audit', kind: entry.kind, subject: entry.subject, err: (err as Error).message },
        'could not append to the audit chain',
      );
      throw err;
    }
    this.recovered();
  }

  /** Appends the entry of a decision that has happened; never throws (see the header). */
  observe(entry: AuditAppend): void {
    try {
      this.deps.log.append(entry);
    } catch (err) {
      const cause = (err as Error)?.message ?? String(err);
      if (this.deciding > 0) {
        // the decision running now sees the failure, refuses and undoes itself
        this.deps.logger.error(
          { domain: 'audit', kind: entry.kind, subject: entry.subject, err: cause },
          'could not append to the audit chain',
        );
        return;
      }
      this.lost(entry, err);
      return;
    }
    this.recovered();
  }

  private lost(entry: AuditAppend, err: unknown): void {
    const rule =
      `${entry.kind} for ${entry.subject} (by ${entry.actor}) took effect but its audit entry was lost; ` +
      'the chain stays verifiable and its audit.outage entry counts what went unrecorded once the disk takes ' +
      'writes again (DevMesh retries every 2 s); decisions callers wait for are refused meanwhile';
    this.deps.health?.fail({
      component: UNRECORDED_COMPONENT,
      error: AuditTrail.storageCause(err),
      where: this.deps.mirrorPath,
      rule,
      dropped: 1,
    });
    this.deps.logger.error(
      {
        domain: 'audit',
        kind: entry.kind,
        subject: entry.subject,
        actor: entry.actor,
        err: (err as Error)?.message ?? String(err),
      },
      'a decision DevMesh took on its own could not be recorded in the audit chain',
    );
  }

  /** the append's refusal (a DevMeshError) as the storage failure it stands for, for the ledger's code */
  private static storageCause(err: unknown): unknown {
    if (!(err instanceof DevMeshError)) return err;
    const code = err.code === 'DISK_FULL' ? 'ENOSPC' : err.code === 'STORE_UNAVAILABLE' ? 'EIO' : null;
    return code === null ? err : Object.assign(new Error(err.message), { code });
  }

  /** the chain takes entries again: the lost decisions are counted in its outage entry, the problem clears */
  private recovered(): void {
    if (this.deps.health?.has(UNRECORDED_COMPONENT) && !this.deps.log.failing)
      this.deps.health.ok(UNRECORDED_COMPONENT);
  }
}
