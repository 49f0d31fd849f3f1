// Schema 2: the proxy's request log.
import type BetterSqlite3 from 'better-sqlite3';

export const migration002 = {
  name: 'proxy requests',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE proxy_requests (
        seq         INTEGER PRIMARY KEY,
        ts          INTEGER NOT NULL,
        method      TEXT    NOT NULL,
        host        TEXT    NOT NULL,
        path        TEXT    NOT NULL,
        status      INTEGER NOT NULL,
        bytes_in    INTEGER NOT NULL,
        bytes_out   INTEGER NOT NULL,
        duration_ms REAL    NOT NULL,
        project     TEXT,
        service     TEXT,
        upstream    TEXT,
        error       TEXT,
        tls         INTEGER NOT NULL,
        websocket   INTEGER NOT NULL
      );
      CREATE INDEX proxy_requests_by_service ON proxy_requests (project, service, seq);
    `);
  },
};
