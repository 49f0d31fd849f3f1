// Schema 18: how a running service asks to be stopped (its stop_signal and stop_timeout from devmesh.yaml),
// kept beside its pid. A daemon that died leaving a service running (its reaper gone too) is followed by a
// start that stops the leftover the service's own way (postgres's fast shutdown is SIGINT, a database gets
// its time to write its data out), not with SIGTERM and 3 s. Rows written before this schema hold NULL:
// those leftovers are stopped as before.
import type BetterSqlite3 from 'better-sqlite3';

export const migration018 = {
  name: 'service-stop',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      ALTER TABLE services ADD COLUMN stop_signal TEXT;           -- 'SIGINT'…; NULL: no process, or an old row
      ALTER TABLE services ADD COLUMN stop_timeout_ms INTEGER;    -- the service's stop_timeout when it started
    `);
  },
};
