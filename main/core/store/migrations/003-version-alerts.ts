// Schema 3: version alerts, raised when a request goes (or is refused) to an instance outside the range the
// caller declared. One row per distinct mismatch; repeats grow its count.
import type BetterSqlite3 from 'better-sqlite3';

export const migration003 = {
  name: 'version alerts',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE version_alerts (
        id                INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused after trimming: faces key rows by it
        first_ts          INTEGER NOT NULL,
        last_ts           INTEGER NOT NULL,
        count             INTEGER NOT NULL,
        last_emit_ts      INTEGER NOT NULL,                  -- when alert.raised last went out for this row
        caller_project    TEXT    NOT NULL,
        caller_service    TEXT    NOT NULL,
        caller_version    TEXT,
        dependency        TEXT    NOT NULL,
        dependency_range  TEXT    NOT NULL,
        instance_agent    TEXT    NOT NULL,
        instance_agent_id TEXT    NOT NULL,
        instance_local    INTEGER NOT NULL,
        instance_project  TEXT    NOT NULL,
        instance_service  TEXT    NOT NULL,
        instance_version  TEXT    NOT NULL,
        action            TEXT    NOT NULL
      );
      CREATE UNIQUE INDEX version_alerts_identity ON version_alerts (
        caller_project, caller_service, dependency, dependency_range,
        instance_agent_id, instance_project, instance_service, instance_version, action
      );
      CREATE INDEX version_alerts_by_last_ts ON version_alerts (last_ts, id);
    `);
  },
};
