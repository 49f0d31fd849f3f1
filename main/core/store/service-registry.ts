// The service registry in SQLite: name, version, port, pid, state per project service, and each state
// transition with its reason. It survives restarts; at start it is reconciled with reality: processes a
// dead DevMesh left behind (if its reaper could not stop them) are stopped, and states reset.
import type { Logger } from 'pino';
import type { ServiceInfo, ServiceState } from '../../../shared/service.js';
import type { ServiceStateEvent } from '../../../shared/events.js';
import { ProcessInspector } from '../services/process-inspector.js';
import type { Database } from './database.js';

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
}

const EVENTS_KEPT_PER_SERVICE = 500;

/** a service the registry found not stopped at start, and stopped */
export interface ReconciledService {
  project: string;
  name: string;
  from: ServiceState;
  pid: number | null;
  reason: string;
  /** its process was still running (the reaper could not stop it) and was stopped at start */
  orphan: boolean;
  version: string;
  port: number | null;
}

export interface ReconcileResult {
  stoppedOrphans: number;
  stopped: ReconciledService[];
}

export class ServiceRegistry {
  private readonly upsert;
  private readonly insertEvent;
  private eventsSinceTrim = 0;

  constructor(
    private readonly database: Database,
    private readonly inspector = new ProcessInspector(),
  ) {
    const db = database.db;
    this.upsert = db.prepare(`
      INSERT INTO services (project, name, project_root, version, port, pid, pid_start, state, reason, restarts, started_at, updated_at)
      VALUES (@project, @name, @project_root, @version, @port, @pid, @pid_start, @state, @reason, @restarts, @started_at, @updated_at)
      ON CONFLICT (project, name) DO UPDATE SET project_root = excluded.project_root, version = excluded.version,
        port = excluded.port, pid = excluded.pid, pid_start = excluded.pid_start, state = excluded.state,
        reason = excluded.reason, restarts = excluded.restarts, started_at = excluded.started_at, updated_at = excluded.updated_at`);
    this.insertEvent = db.prepare(
      'INSERT INTO service_events (project, service, ts, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  save(info: ServiceInfo, projectRoot: string): void {
    if (!this.database.db.open) return;
    this.upsert.run({
      project: info.project,
      name: info.name,
      project_root: projectRoot,
      version: info.version,
      port: info.port,
      pid: info.pid,
      pid_start: info.pid === null ? null : this.inspector.startTime(info.pid),
      state: info.state,
      reason: info.reason,
      restarts: info.restarts,
      started_at: info.startedAt,
      updated_at: Date.now(),
    });
  }

  recordTransition(event: ServiceStateEvent): void {
    if (!this.database.db.open) return;
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
  }

  get(project: string, name: string): RegistryRow | null {
    return (this.database.db.prepare('SELECT * FROM services WHERE project = ? AND name = ?').get(project, name) as RegistryRow | undefined) ?? null;
  }

  list(project?: string): RegistryRow[] {
    const db = this.database.db;
    return (project
      ? db.prepare('SELECT * FROM services WHERE project = ? ORDER BY name').all(project)
      : db.prepare('SELECT * FROM services ORDER BY project, name').all()) as RegistryRow[];
  }

  transitions(project: string, name: string, limit = 50): { ts: number; from_state: string; to_state: string; reason: string | null }[] {
    return this.database.db
      .prepare('SELECT ts, from_state, to_state, reason FROM service_events WHERE project = ? AND service = ? ORDER BY id DESC LIMIT ?')
      .all(project, name, limit) as { ts: number; from_state: string; to_state: string; reason: string | null }[];
  }

  remove(project: string, name: string): void {
    this.database.db.prepare('DELETE FROM services WHERE project = ? AND name = ?').run(project, name);
  }

  /**
   * Brings the registry in line with reality after a start: a row still holding a pid whose process is
   * alive with the same start time is a service a previous DevMesh left running; its group is stopped.
   * Every row ends stopped, with the reason saying what happened (`endOf` tells how the DevMesh that last
   * ran it ended: "the daemon died (pid N, at T)"), kept in the service's history like any transition.
   */
  async reconcile(logger: Logger, endOf: (updatedAt: number) => string | null = () => null): Promise<ReconcileResult> {
    let stoppedOrphans = 0;
    const killed: number[] = [];
    const stopped: ReconciledService[] = [];
    for (const row of this.list()) {
      if (row.pid === null && row.state === 'stopped') continue;
      const ended = endOf(row.updated_at);
      let reason = row.reason;
      const orphan = row.pid !== null && row.pid_start !== null && this.inspector.startTime(row.pid) === row.pid_start;
      if (orphan) {
        logger.warn({ project: row.project, service: row.name, pid: row.pid }, 'stopping a service left running by a previous DevMesh');
        ServiceRegistry.signalGroup(row.pid!, 'SIGTERM');
        killed.push(row.pid!);
        stoppedOrphans++;
        reason = ended === null
          ? `stopped at start: DevMesh found pid ${row.pid} left running by a previous DevMesh`
          : `${ended}; its pid ${row.pid} was still running and was stopped at start`;
      } else if (row.state !== 'stopped') {
        reason = ended ?? `DevMesh stopped while the service was ${row.state}`;
      }
      const now = Date.now();
      this.database.db
        .prepare("UPDATE services SET state = 'stopped', pid = NULL, pid_start = NULL, started_at = NULL, reason = ?, updated_at = ? WHERE project = ? AND name = ?")
        .run(reason, now, row.project, row.name);
      if (row.state !== 'stopped' || orphan) {
        this.insertEvent.run(row.project, row.name, now, row.state, 'stopped', reason);
        const { project, name, version, port } = row;
        stopped.push({ project, name, from: row.state, pid: row.pid, reason: reason ?? 'stopped', orphan, version, port });
      }
    }
    // Give the orphans a moment to exit on SIGTERM, then make sure.
    for (let i = 0; i < 30 && killed.some((p) => this.inspector.isGroupAlive(p)); i++) await new Promise((r) => setTimeout(r, 100));
    for (const pgid of killed) if (this.inspector.isGroupAlive(pgid)) ServiceRegistry.signalGroup(pgid, 'SIGKILL');
    return { stoppedOrphans, stopped };
  }

  private static signalGroup(pgid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pgid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}
