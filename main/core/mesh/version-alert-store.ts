// Version alerts in SQLite: a request routed (warn) or refused because no instance satisfied the range its
// caller declared. One row per distinct mismatch, counted; `alert.raised` goes out when a row is new and
// then at most once a minute per row, so a mismatch under load does not flood the faces.
import type { EventBus } from '../events/event-bus.js';
import type { Database } from '../store/database.js';
import type { VersionAlert } from '../../../shared/mesh.js';

export type VersionAlertInput = Omit<VersionAlert, 'id' | 'firstTs' | 'lastTs' | 'count'>;

/** a row already announced is announced again only after this long */
export const ALERT_EMIT_INTERVAL_MS = 60_000;
/** rows kept: the newest by last occurrence */
export const ALERTS_KEPT = 1000;

interface AlertRow {
  id: number;
  first_ts: number;
  last_ts: number;
  count: number;
  last_emit_ts: number;
  caller_project: string;
  caller_service: string;
  caller_version: string | null;
  dependency: string;
  dependency_range: string;
  instance_agent: string;
  instance_agent_id: string;
  instance_local: number;
  instance_project: string;
  instance_service: string;
  instance_version: string;
  action: VersionAlert['action'];
}

export class VersionAlertStore {
  private readonly upsert;
  private readonly markEmitted;
  private readonly trim;
  private readonly select;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    const db = database.db;
    // The caller's version and the agent's display name are not part of the identity: a restarted caller
    // or a renamed teammate keeps counting on the same row, which shows the latest of both.
    this.upsert = db.prepare(`
      INSERT INTO version_alerts (first_ts, last_ts, count, last_emit_ts, caller_project, caller_service, caller_version,
        dependency, dependency_range, instance_agent, instance_agent_id, instance_local, instance_project, instance_service,
        instance_version, action)
      VALUES (@ts, @ts, @times, @ts, @caller_project, @caller_service, @caller_version, @dependency, @dependency_range,
        @instance_agent, @instance_agent_id, @instance_local, @instance_project, @instance_service, @instance_version, @action)
      ON CONFLICT (caller_project, caller_service, dependency, dependency_range, instance_agent_id, instance_project,
        instance_service, instance_version, action)
      DO UPDATE SET count = count + excluded.count, last_ts = MAX(last_ts, excluded.last_ts), caller_version = excluded.caller_version,
        instance_agent = excluded.instance_agent, instance_local = excluded.instance_local
      RETURNING *`);
    this.markEmitted = db.prepare('UPDATE version_alerts SET last_emit_ts = ? WHERE id = ?');
    this.trim = db.prepare(
      'DELETE FROM version_alerts WHERE id IN (SELECT id FROM version_alerts ORDER BY last_ts DESC, id DESC LIMIT -1 OFFSET ?)',
    );
    this.select = db.prepare('SELECT * FROM version_alerts ORDER BY last_ts DESC, id DESC LIMIT ?');
  }

  /** Records `times` occurrences (batched under load); returns the alert as it now stands. */
  raise(input: VersionAlertInput, times = 1): VersionAlert {
    const ts = this.now();
    const raised = this.database.db.transaction((): { row: AlertRow; emit: boolean } => {
      const row = this.upsert.get({
        ts,
        times,
        caller_project: input.caller.project,
        caller_service: input.caller.service,
        caller_version: input.caller.version,
        dependency: input.dependency,
        dependency_range: input.range,
        instance_agent: input.instance.agent,
        instance_agent_id: input.instance.agentId,
        instance_local: input.instance.local ? 1 : 0,
        instance_project: input.instance.project,
        instance_service: input.instance.service,
        instance_version: input.instance.version,
        action: input.action,
      }) as AlertRow;
      const isNew = row.count === times && row.first_ts === ts;
      // Only a new row adds to the table, so only then can it outgrow the bound.
      if (isNew) this.trim.run(ALERTS_KEPT);
      const emit = isNew || ts - row.last_emit_ts > ALERT_EMIT_INTERVAL_MS;
      if (emit && !isNew) this.markEmitted.run(ts, row.id);
      return { row, emit };
    })();
    const alert = VersionAlertStore.toAlert(raised.row);
    if (raised.emit) this.events.emit({ type: 'alert.raised', ts, alert });
    return alert;
  }

  /** The newest `limit` alerts by last occurrence, newest first. */
  list(limit: number): VersionAlert[] {
    const n = Math.min(Math.max(Math.floor(limit), 0), ALERTS_KEPT);
    if (!Number.isFinite(n) || n === 0) return [];
    return (this.select.all(n) as AlertRow[]).map((row) => VersionAlertStore.toAlert(row));
  }

  private static toAlert(row: AlertRow): VersionAlert {
    return {
      id: row.id,
      firstTs: row.first_ts,
      lastTs: row.last_ts,
      count: row.count,
      caller: { project: row.caller_project, service: row.caller_service, version: row.caller_version },
      dependency: row.dependency,
      range: row.dependency_range,
      instance: {
        agent: row.instance_agent,
        agentId: row.instance_agent_id,
        local: row.instance_local === 1,
        project: row.instance_project,
        service: row.instance_service,
        version: row.instance_version,
      },
      action: row.action,
    };
  }
}
