// What a start learns about the DevMesh that ran before it, and says. Every start is a numbered run
// (daemon_runs); a run that ended without a clean shutdown died (crash, `kill -9`, power cut). For each such
// run the next start records, in the services' history and in the audit chain, what happened to what it
// ran: each service "stopped: the daemon died (pid N, at T)", each terminal ended, each lock it held dropped;
// it stops what is left of their processes (pid AND start time); and it hands out lock ids carrying its own
// run number, so a lock id never names two locks across restarts.
//
// Where the facts come from: services from the registry (reconciled at start), terminals from
// live_terminals (kept current as they start and exit), held locks from the audit chain itself (grants
// without an end since the run started: see chain-held-locks.ts), the time of death from the process
// reaper's note. A clean shutdown records the locks still held as dropped ("DevMesh shut down") and marks
// its run ended and settled, so the next start has nothing to say about it.
//
// Nothing here may stop DevMesh from starting: a store that refuses a write is reported to the health
// ledger, and what could not be recorded is left for the next start (a run is settled only once every lock
// it held is recorded; a terminal row goes only once its entry is in the chain).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditAppend } from '../../../shared/audit.js';
import type { LockSpaceSnapshot } from '../../../shared/lock.js';
import type { EventBus } from '../events/event-bus.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import type { Disposable } from '../base/disposable.js';
import { ProcessInspector } from '../services/process-inspector.js';
import type { Database } from '../store/database.js';
import type { LogStore } from '../logs/log-store.js';
import type { ReconciledService, ServiceRegistry } from '../services/service-registry.js';
import { ChainHeldLocks, type ChainLock } from './chain-held-locks.js';
import { DaemonRuns, type RunRow } from './daemon-runs.js';
import * as leftoverEntries from './leftover-entries.js';
import { LiveTerminals, type TerminalRow } from './live-terminals.js';
import { RunEnds, type RunEnd } from './run-end.js';

export interface RecoveryModuleDeps {
  database: Database;
  events: EventBus;
  health: DaemonHealth;
  logger: Logger;
  /** where the process reaper notes the time of a death: $DEVMESH_HOME/runs */
  notesDir: string;
  pid?: number;
  now?: () => number;
}

/** what the composition root's coordination offers: the audit chain and the held locks */
export interface RecoveryCoordination {
  /** appends to the audit chain; throws when the entry cannot be stored */
  record(entry: AuditAppend): void;
  locks: { list(): LockSpaceSnapshot[] };
}

const COMPONENT = 'crash recovery records';

export class RecoveryModule implements Disposable {
  readonly nextLockId: () => string;
  private readonly runs: DaemonRuns;
  private readonly terminals: LiveTerminals;
  private readonly guard: StoreGuard;
  private readonly subscription: Disposable;
  private readonly now: () => number;
  private services: ReconciledService[] = [];
  private readonly leftTerminals: Array<{ row: TerminalRow; stopped: number }> = [];
  private disposed = false;

  private constructor(
    private readonly deps: RecoveryModuleDeps,
    /** this run; null when it could not be written down (the store refused): nothing is recovered then */
    private readonly current: RunRow | null,
    private readonly unsettled: readonly RunRow[],
    private readonly ends: RunEnds,
    /** another DevMesh runs on this home: touch none of its services or terminals */
    private readonly othersRunning = false,
  ) {
    this.now = deps.now ?? Date.now;
    this.runs = new DaemonRuns(deps.database);
    const rule = 'a terminal or lock not written down is not reported (nor stopped) after a crash';
    this.guard = RecoveryModule.guard(deps, rule);
    const inspector = new ProcessInspector();
    this.terminals = new LiveTerminals(deps.database, this.guard, (pid) => inspector.startTime(pid));
    // without a run number, a prefix no earlier run used
    const prefix = current === null ? randomBytes(3).toString('hex') : String(current.run);
    let n = 1;
    this.nextLockId = () => `lock-${prefix}-${n++}`;
    this.subscription = deps.events.onDidEmitEvent((event) => {
      if (current !== null) this.terminals.follow(current.run, event);
    });
  }

  /** Writes this start down and reads how the earlier runs ended. Never throws: a failing store is reported. */
  static open(deps: RecoveryModuleDeps): RecoveryModule {
    const runs = new DaemonRuns(deps.database);
    const inspector = new ProcessInspector();
    try {
      mkdirSync(deps.notesDir, { recursive: true, mode: 0o700 });
      const pid = deps.pid ?? process.pid;
      const { current, unsettled: all } = runs.begin(pid, inspector.startTime(pid), (deps.now ?? Date.now)());
      // A run whose process still lives (same pid, same start time) has not ended: another DevMesh on this
      // home. Its services, terminals and locks are its own; nothing of it is recovered.
      const live = all.filter((r) => r.pid_start !== null && inspector.startTime(r.pid) === r.pid_start);
      for (const r of live)
        deps.logger.warn(
          { domain: 'recovery', pid: r.pid, run: r.run },
          'another DevMesh is running on this home; leaving its processes alone',
        );
      if (live.length > 0) return new RecoveryModule(deps, current, [], new RunEnds([]), true);
      const unsettled = all;
      const before = { ts: current.started_at, auditSeq: current.audit_seq };
      // the unsettled runs, and the last one (its services may still read as running after a clean stop)
      const previous = runs.before(current.run).at(-1);
      const told = new Map([...unsettled, ...(previous ? [previous] : [])].map((r) => [r.run, r]));
      const ends = [...told.values()].map((r) =>
        RunEnds.of(r, RecoveryModule.noted(deps.notesDir, r.run), runs.lastSign(r, before)),
      );
      return new RecoveryModule(deps, current, unsettled, new RunEnds(ends));
    } catch (err) {
      RecoveryModule.guard(deps, 'nothing about the last run is recovered').report(err);
      return new RecoveryModule(deps, null, [], new RunEnds([]));
    }
  }

  /** The reaper's note file for this run: written by the reaper only if this process dies. */
  get reaperNote(): string | undefined {
    return this.current === null ? undefined : RecoveryModule.notePath(this.deps.notesDir, this.current.run);
  }

  /**
   * Before anything starts: stops the services a dead DevMesh left (the registry, with the reason in each
   * one's history and log) and what is left of its terminals' sessions.
   */
  async reconcile(registry: ServiceRegistry, logs: LogStore): Promise<void> {
    if (this.othersRunning) return;
    const starts = new Map(this.ends.all.map((e) => [e.run, this.runs.get(e.run)?.started_at ?? Infinity]));
    const endOf = (ts: number): string | null => {
      const end = this.ends.at(ts, starts);
      return end === null ? null : RunEnds.words(end);
    };
    const { stopped } = await registry.reconcile(this.deps.logger.child({ domain: 'registry' }), endOf);
    this.services = stopped;
    for (const s of stopped)
      this.guard.background(() => logs.append(s.project, s.name, 'system', `stopped: ${s.reason}`));
    if (this.current === null) return;
    // at once: each may wait for processes that ignore SIGHUP
    const rows = this.terminals.leftBy(this.current.run);
    const stoppedEach = await Promise.all(rows.map((row) => LiveTerminals.stopLeftovers(row)));
    rows.forEach((row, i) => {
      const stopped = stoppedEach[i]!;
      if (stopped > 0) {
        const fields = { domain: 'recovery', terminal: row.id, pid: row.pid, processes: stopped };
        this.deps.logger.warn(fields, 'stopped what was left of a terminal of a previous DevMesh');
      }
      this.leftTerminals.push({ row, stopped });
    });
  }

  /** Once the audit chain is open: records what each earlier run left behind, then settles those runs. */
  record(coordination: RecoveryCoordination): void {
    if (this.current === null || this.othersRunning) return;
    const locks = this.heldLocks();
    const write = (entry: AuditAppend): boolean => {
      try {
        coordination.record(entry);
        return true;
      } catch (err) {
        const fields = { domain: 'recovery', kind: entry.kind, subject: entry.subject, err: (err as Error).message };
        this.deps.logger.error(fields, 'could not record what a previous DevMesh left');
        return false;
      }
    };
    const dead = this.unsettled.filter((r) => r.ended_at === null && !this.runs.deathRecorded(r));
    for (const end of this.ends.all.filter((e) => dead.some((r) => r.run === e.run))) {
      const terminals = this.leftTerminals.filter((t) => t.row.run === end.run).length;
      write(leftoverEntries.died(end, { terminals, locks: locks.filter((l) => l.end.run === end.run).length }));
    }
    for (const s of this.services) write(leftoverEntries.service(s));
    for (const { row, stopped } of this.leftTerminals) {
      const end = this.ends.byRun(row.run);
      const reason = end === null ? 'DevMesh stopped while it ran' : RunEnds.words(end);
      if (write(leftoverEntries.terminal(row, reason, stopped)))
        this.guard.background(() => this.terminals.remove(row.id));
    }
    let everyLock = true;
    for (const { lock, end } of locks)
      everyLock = write(leftoverEntries.lockLeft(lock, RunEnds.words(end))) && everyLock;
    if (everyLock) {
      this.guard.background(() =>
        this.runs.settle(
          this.unsettled.map((r) => r.run),
          this.now(),
        ),
      );
      this.forgetNotes(this.current.run);
    }
  }

  /** A clean shutdown: the locks still held are recorded as dropped, and this run as ended. */
  shutDown(coordination: RecoveryCoordination): void {
    if (this.disposed) return;
    this.dispose();
    if (this.current === null || !this.deps.database.db.open) return;
    let everyLock = true;
    for (const space of coordination.locks.list()) {
      for (const lock of space.locks) {
        try {
          coordination.record(leftoverEntries.lockAtShutdown(space, lock));
        } catch (err) {
          everyLock = false;
          const fields = { domain: 'recovery', lock: lock.id, err: (err as Error).message };
          this.deps.logger.error(fields, 'could not record a lock dropped at shutdown');
        }
      }
    }
    const run = this.current.run;
    this.guard.background(() => this.runs.end(run, this.now(), everyLock));
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
  }

  /** the locks each unsettled run still held when it ended, with that end */
  private heldLocks(): Array<{ lock: ChainLock; end: RunEnd }> {
    if (this.current === null || this.unsettled.length === 0) return [];
    const all = this.runs.before(this.current.run);
    // one read from the oldest unsettled run's start: an end recorded by a later start still counts
    const from = Math.min(...this.unsettled.map((r) => r.audit_seq));
    const out: Array<{ lock: ChainLock; end: RunEnd }> = [];
    for (const lock of new ChainHeldLocks(this.deps.database).held(from, this.current.audit_seq)) {
      // the run that granted it: the last one started before its grant; a settled run has said it all
      const granted = all.filter((r) => r.audit_seq < lock.seq).at(-1);
      const end = granted !== undefined && granted.settled_at === null ? this.ends.byRun(granted.run) : null;
      if (end !== null) out.push({ lock, end });
    }
    return out;
  }

  /** Notes of runs before `current` are no longer needed once their leftovers are recorded. */
  private forgetNotes(current: number): void {
    let names: string[];
    try {
      names = readdirSync(this.deps.notesDir);
    } catch {
      return; // no folder, no notes
    }
    for (const name of names) {
      const run = /^run-(\d+)\.died$/.exec(name)?.[1];
      if (run === undefined || Number(run) >= current) continue;
      this.guard.background(() => rmSync(join(this.deps.notesDir, name), { force: true }));
    }
  }

  private static guard(deps: RecoveryModuleDeps, rule: string): StoreGuard {
    return new StoreGuard(deps.health, { component: COMPONENT, where: deps.database.db.name, rule });
  }

  private static notePath(dir: string, run: number): string {
    return join(dir, `run-${run}.died`);
  }

  /** the time of death the reaper of `run` noted (ms), or null */
  private static noted(dir: string, run: number): number | null {
    try {
      const seconds = Number(readFileSync(RecoveryModule.notePath(dir, run), 'utf8').trim());
      return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
    } catch {
      return null; // no note: its reaper died too (a reboot) or could not write
    }
  }
}
