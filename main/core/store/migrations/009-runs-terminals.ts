// Schema 9: what a restart needs to know about the DevMesh that ran before it. `daemon_runs` has one row per
// start (its number prefixes lock ids, so an id never repeats across restarts; its pid and how it ended say
// whether it died; its audit head at start bounds the lock grants it made). `live_terminals` holds the
// terminals running now (kept current as they start and exit), so the terminals of a daemon that died can
// be stopped (pid AND start time) and said to have ended.
import type BetterSqlite3 from 'better-sqlite3';

export const migration009 = {
  name: 'runs-terminals',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE daemon_runs (
        run        INTEGER PRIMARY KEY AUTOINCREMENT,
        pid        INTEGER NOT NULL,
        pid_start  TEXT,               -- its process's start time: a live pid with it is that DevMesh, still running
        started_at INTEGER NOT NULL,
        audit_seq  INTEGER NOT NULL,   -- the audit chain's head at start: this run's decisions come after it
        ended_at   INTEGER,            -- a clean shutdown; NULL while it runs, and forever when it died
        settled_at INTEGER             -- what it left behind (locks, terminals) is recorded in the audit chain
      );
      CREATE TABLE live_terminals (
        id         TEXT    PRIMARY KEY,
        run        INTEGER NOT NULL,
        pid        INTEGER NOT NULL,
        pid_start  TEXT,               -- the leader's start time, to tell a reused pid apart
        name       TEXT    NOT NULL,
        command    TEXT    NOT NULL,
        project    TEXT,
        started_at INTEGER NOT NULL
      );
    `);
  },
};
