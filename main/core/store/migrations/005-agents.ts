// Schema 5: AI coding agents started in terminals, kept across daemon restarts so they can be listed and
// relaunched: what was launched, where (cwd, worktree), the task, the last status and declared resources.
import type BetterSqlite3 from 'better-sqlite3';

export const migration005 = {
  name: 'agents',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE agents (
        id              TEXT    PRIMARY KEY,
        name            TEXT    NOT NULL UNIQUE,
        profile         TEXT    NOT NULL,
        role            TEXT,
        cwd             TEXT    NOT NULL,
        project         TEXT,
        command         TEXT    NOT NULL,
        args_json       TEXT    NOT NULL,              -- JSON array of strings
        worktree_path   TEXT,                          -- all three set, or all three null
        worktree_branch TEXT,
        worktree_repo   TEXT,
        terminal_id     TEXT,
        task            TEXT,
        status          TEXT    NOT NULL,
        status_reason   TEXT,
        exit_code       INTEGER,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        ram_gb          REAL    NOT NULL DEFAULT 0,
        gpus            INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX agents_by_created ON agents (created_at, id);
    `);
  },
};
