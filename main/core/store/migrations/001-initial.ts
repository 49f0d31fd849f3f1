// Schema 1: the service registry, the log store and the service state history.
import type BetterSqlite3 from 'better-sqlite3';

export const migration001 = {
  name: 'initial',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE services (
        project     TEXT    NOT NULL,
        name        TEXT    NOT NULL,
        project_root TEXT   NOT NULL,
        version     TEXT    NOT NULL,
        port        INTEGER,
        pid         INTEGER,
        pid_start   TEXT,             -- the process's start time from /proc, to tell a reused pid apart
        state       TEXT    NOT NULL,
        reason      TEXT,
        restarts    INTEGER NOT NULL DEFAULT 0,
        started_at  INTEGER,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (project, name)
      );
      CREATE TABLE log_lines (
        seq     INTEGER PRIMARY KEY,
        project TEXT    NOT NULL,
        service TEXT    NOT NULL,
        stream  TEXT    NOT NULL,
        ts      INTEGER NOT NULL,
        text    TEXT    NOT NULL
      );
      CREATE INDEX log_lines_by_service ON log_lines (project, service, seq);
      CREATE TABLE service_events (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT    NOT NULL,
        service TEXT    NOT NULL,
        ts      INTEGER NOT NULL,
        from_state TEXT NOT NULL,
        to_state   TEXT NOT NULL,
        reason  TEXT
      );
      CREATE INDEX service_events_by_service ON service_events (project, service, id);
    `);
  },
};
