// The service registry in SQLite: name, version, port, pid, state per project service, and each state
// transition with its reason. It survives restarts; at start it is reconciled with reality: processes a
// dead DevMesh left behind (if its reaper could not stop them) are stopped, and states reset.
// Writes never throw: a service's state is decided in memory, and a store that refuses writes (a full
// disk) is reported to the daemon's health and written again with the current state once it accepts them.
import type { Logger } from 'pino';
import pino from 'pino';
import type { ServiceInfo, ServiceState } from '../../../shared/service.js';
import type { ServiceStateEvent } from '../../../shared/events.js';
import { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import type { Disposable } from '../base/disposable.js';
import { ProcessInspector } from './process-inspector.js';
import type { StopSettings } from './process-group.js';
import { leftoverStop, stopLeftoverGroups, type LeftoverGroup } from './leftover-groups.js';
import type { Database } from '../store/database.js';

export interface RegistryRow {
  project: string;
  name: string;
  project_root: string;
  version: string;
  port: number | null;
  pid: number | null;
  pid_start: string | null;
  state: ServiceState;
  reason: string | null;
  restarts: number;
  started_at: number | null;
  updated_at: number;
  /** how its running process asks to be stopped (schema 18); null without a process, or in an older row */
  stop_signal: string | null;
  stop_timeout_ms: number | null;
}

export interface ServiceRegistryDeps {
  /** where a store that refuses writes is reported (DevMeshCore.health) */
  health?: DaemonHealth;
  inspector?: ProcessInspector;
  /** how often writes that failed are tried again */
  retryMs?: number;
}

const EVENTS_KEPT_PER_SERVICE = 500;
const RETRY_MS = 3000;

export const REGISTRY_RULE =
  'service states are decided in memory; the registry is written again with the current state once the store ' +
  'accepts writes; transitions that could not be stored are counted as dropped';

/** A row decided in memory and not stored yet; `removed`: the service left devmesh.yaml. */
type Unsaved = { row: RegistryRow; removed: false } | { row: Pick<RegistryRow, 'project' | 'name'>; removed: true };

/** a service the registry found not stopped at start, and stopped */
export interface ReconciledService {
  project: string;
  name: string;
  from: ServiceState;
  pid: number | null;
  reason: string;
  /** its process was still running (the reaper could not stop it) and was stopped at start */
  orphan: boolean;
  /** null: unknown (a database whose engine was not installed) */
  version: string | null;
  port: number | null;
}

export interface ReconcileResult {
  stoppedOrphans: number;
  stopped: ReconciledService[];
}

export class ServiceRegistry implements Disposable {
  private readonly upsert;
  private readonly insertEvent;
  private readonly deleteRow;
  private readonly inspector: ProcessInspector;
  private readonly guard: StoreGuard;
  private readonly retryMs: number;
  private eventsSinceTrim = 0;
  /** by key: what the store does not hold yet, newest decision per service */
  private readonly unsaved = new Map<string, Unsaved>();
  /** by key: the last row decided, to write again when a transition could not be stored */
  private readonly current = new Map<string, RegistryRow>();
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly database: Database,
    deps: ServiceRegistryDeps = {},
  ) {
    this.inspector = deps.inspector ?? new ProcessInspector();
    this.retryMs = deps.retryMs ?? RETRY_MS;
    const health = deps.health ?? DaemonHealth.detached(pino({ level: 'silent' }));
    this.guard = new StoreGuard(health, {
      component: 'service registry',
      where: database.db.name,
      rule: REGISTRY_RULE,
    });
    const db = database.db;
    this.upsert = db.prepare(`
      INSERT INTO services (project, name, project_root, version, port, pid, pid_start, state, reason, restarts,
        started_at, updated_at, stop_signal, stop_timeout_ms)
      VALUES (@project, @name, @project_root, @version, @port, @pid, @pid_start, @state, @reason, @restarts,
        @started_at, @updated_at, @stop_signal, @stop_timeout_ms)
      ON CONFLICT (project, name) DO UPDATE SET project_root = excluded.project_root, version = excluded.version,
        port = excluded.port, pid = excluded.pid, pid_start = excluded.pid_start, state = excluded.state,
        reason = excluded.reason, restarts = excluded.restarts, started_at = excluded.started_at,
        updated_at = excluded.updated_at, stop_signal = excluded.stop_signal, stop_timeout_ms = excluded.stop_timeout_ms`);
    this.insertEvent = db.prepare(
      'INSERT INTO service_events (project, service, ts, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.deleteRow = db.prepare('DELETE FROM services WHERE project = ? AND name = ?');
  }

  /**
   * Records a service's current state; never throws (a refused write is kept and written again later).
   * `stop`: how its process asks to be stopped, kept beside its pid for a start after DevMesh died.
   */
  save(info: ServiceInfo, projectRoot: string, stop?: StopSettings): void {
    const running = info.pid !== null && stop !== undefined;
    const row: RegistryRow = {
      project: info.project,
      name: info.name,
      project_root: projectRoot,
      // '' for none (the column predates versionless services): a database whose engine is not installed
      version: info.version ?? '',
      port: info.port,
      pid: info.pid,
      pid_start: info.pid === null ? null : this.inspector.startTime(info.pid),
      state: info.state,
      reason: info.reason,
      restarts: info.restarts,
      started_at: info.startedAt,
      updated_at: Date.now(),
      stop_signal: running ? stop.signal : null,
      stop_timeout_ms: running ? stop.timeoutMs : null,
    };
    this.keep({ row, removed: false });
  }

  /** Stores a transition for the history; one that cannot be stored is counted as dropped. Never throws. */
  recordTransition(event: Pick<ServiceStateEvent, 'project' | 'service' | 'ts' | 'from' | 'to' | 'reason'>): void {
    if (!this.database.db.open) return;
    const stored = this.attempt(() => {
      this.insertEvent.run(event.project, event.service, event.ts, event.from, event.to, event.reason);
      if (++this.eventsSinceTrim >= 1000) {
        this.eventsSinceTrim = 0;
        this.database.db
          .prepare(
            `DELETE FROM service_events WHERE id IN (
               SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY project, service ORDER BY id DESC) AS n FROM service_events)
               WHERE n > ?)`,
          )
          .run(EVENTS_KEPT_PER_SERVICE);
      }
    }, 1);
    if (stored) {
      if (this.unsaved.size === 0) this.guard.succeeded();
      return;
    }
    // The row of that service is written again with the retry, which also tells when the store is back.
    const key = ServiceRegistry.key(event.project, event.service);
    const row = this.current.get(key);
    if (row && !this.unsaved.has(key)) this.unsaved.set(key, { row, removed: false });
    this.scheduleRetry();
  }

  /** A service's row: what was decided last, stored or not yet. */
  get(project: string, name: string): RegistryRow | null {
    const pending = this.unsaved.get(ServiceRegistry.key(project, name));
    if (pending) return pending.removed ? null : pending.row;
    return (
      (this.database.db.prepare('SELECT * FROM services WHERE project = ? AND name = ?').get(project, name) as
        RegistryRow | undefined) ?? null
    );
  }

  list(project?: string): RegistryRow[] {
    const db = this.database.db;
    const stored = (
      project
        ? db.prepare('SELECT * FROM services WHERE project = ? ORDER BY name').all(project)
        : db.prepare('SELECT * FROM services ORDER BY project, name').all()
    ) as RegistryRow[];
    if (this.unsaved.size === 0) return stored;
    const rows = new Map(stored.map((r) => [ServiceRegistry.key(r.project, r.name), r]));
    for (const [key, u] of this.unsaved) {
      if (project !== undefined && u.row.project !== project) continue;
      if (u.removed) rows.delete(key);
      else rows.set(key, u.row);
    }
    return [...rows.values()].sort((a, b) => a.project.localeCompare(b.project) || a.name.localeCompare(b.name));
  }

  transitions(
    project: string,
    name: string,
    limit = 50,
  ): { ts: number; from_state: string; to_state: string; reason: string | null }[] {
    return this.database.db
      .prepare(
        'SELECT ts, from_state, to_state, reason FROM service_events WHERE project = ? AND service = ? ORDER BY id DESC LIMIT ?',
      )
      .all(project, name, limit) as { ts: number; from_state: string; to_state: string; reason: string | null }[];
  }

  /** Forgets a service (it left devmesh.yaml); never throws. */
  remove(project: string, name: string): void {
    this.current.delete(ServiceRegistry.key(project, name));
    this.keep({ row: { project, name }, removed: true });
  }

  /** Is everything decided stored? */
  get saved(): boolean {
    return this.unsaved.size === 0;
  }

  /** Stops retrying; one last attempt to store what is pending. */
  dispose(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.writeUnsaved();
  }

  /**
   * Brings the registry in line with reality after a start: a row still holding a pid whose process is
   * alive with the same start time is a service a previous DevMesh left running; its group is stopped the way
   * the service asked (its stop signal and stop time, recorded when it started; SIGTERM and 3 s for a row that
   * predates them), and the start waits for it. Every row ends stopped, with the reason saying what happened
   * (`endOf` tells how the DevMesh that last ran it ended: "the daemon died (pid N, at T)"), kept in the
   * service's history like any transition.
   */
  async reconcile(logger: Logger, endOf: (updatedAt: number) => string | null = () => null): Promise<ReconcileResult> {
    const rows = this.list().filter((row) => row.pid !== null || row.state !== 'stopped');
    const orphans = new Map<RegistryRow, LeftoverGroup>();
    for (const row of rows) {
      if (row.pid === null || row.pid_start === null || this.inspector.startTime(row.pid) !== row.pid_start) continue;
      const stop = leftoverStop(row.stop_signal, row.stop_timeout_ms);
      const where = { project: row.project, service: row.name, servicePid: row.pid, signal: stop.signal };
      logger.warn(where, 'stopping a service left running by a previous DevMesh');
      orphans.set(row, { pgid: row.pid, stop });
    }
    const killed = await stopLeftoverGroups([...orphans.values()], {
      isGroupAlive: (pgid) => this.inspector.isGroupAlive(pgid),
    });
    const stopped: ReconciledService[] = [];
    for (const row of rows) {
      const group = orphans.get(row);
      let reason = row.reason;
      if (group) reason = ServiceRegistry.orphanReason(row, group, killed.has(group.pgid), endOf);
      else if (row.state !== 'stopped')
        reason = endOf(row.updated_at) ?? `DevMesh stopped while the service was ${row.state}`;
      const now = Date.now();
      const stoppedRow: RegistryRow = {
        ...row,
        state: 'stopped',
        pid: null,
        pid_start: null,
        started_at: null,
        reason,
        updated_at: now,
        stop_signal: null,
        stop_timeout_ms: null,
      };
      this.keep({ row: stoppedRow, removed: false });
      if (row.state === 'stopped' && !group) continue;
      this.recordTransition({
        project: row.project,
        service: row.name,
        ts: now,
        from: row.state,
        to: 'stopped',
        reason,
      });
      const { project, name, port } = row;
      const version = row.version === '' ? null : row.version;
      const orphan = group !== undefined;
      stopped.push({
        project,
        name,
        from: row.state,
        pid: row.pid,
        reason: reason ?? 'stopped',
        orphan,
        version,
        port,
      });
    }
    return { stoppedOrphans: orphans.size, stopped };
  }

  /** what happened to a service whose process a dead DevMesh left running, and how it was stopped */
  private static orphanReason(
    row: RegistryRow,
    group: LeftoverGroup,
    killed: boolean,
    endOf: (updatedAt: number) => string | null,
  ): string {
    const stop = group.stop!;
    const how = killed
      ? `still running ${stop.timeoutMs} ms after ${stop.signal}, killed with SIGKILL`
      : `stopped with ${stop.signal}`;
    const ended = endOf(row.updated_at);
    return ended === null
      ? `stopped at start: DevMesh found pid ${row.pid} left running by a previous DevMesh (${how})`
      : `${ended}; its pid ${row.pid} was still running and was stopped at start (${how})`;
  }

  /** The newest decision for a service replaces any older one not yet stored; then everything pending is written. */
  private keep(change: Unsaved): void {
    const key = ServiceRegistry.key(change.row.project, change.row.name);
    if (!change.removed) this.current.set(key, change.row);
    this.unsaved.set(key, change);
    this.writeUnsaved();
  }

  private writeUnsaved(): void {
    if (this.unsaved.size === 0 || !this.database.db.open) return;
    const batch = [...this.unsaved];
    const stored = this.attempt(() =>
      this.database.db.transaction(() => {
        for (const [, u] of batch) {
          if (u.removed) this.deleteRow.run(u.row.project, u.row.name);
          else this.upsert.run(u.row);
        }
      })(),
    );
    if (!stored) return this.scheduleRetry();
    // Only what was written: a newer decision taken meanwhile stays pending.
    for (const [key, u] of batch) if (this.unsaved.get(key) === u) this.unsaved.delete(key);
    if (this.unsaved.size === 0) this.guard.succeeded();
  }

  /**
   * One write through the guard: a failure is reported (never thrown). Unlike StoreGuard.background, success
   * does not clear the problem by itself: that waits until every decided row is stored (the callers check),
   * so a small write squeezing onto a nearly full disk does not announce a recovery that has not happened.
   */
  private attempt(write: () => void, dropped = 0): boolean {
    try {
      write();
      return true;
    } catch (err) {
      this.guard.report(err, dropped);
      return false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.writeUnsaved();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private static key(project: string, name: string): string {
    return JSON.stringify([project, name]);
  }
}
