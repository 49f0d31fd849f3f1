// Schema 13 (issue 16): whether an agent is relaunched after a crash (`supervise`, on unless the start said
// no) and whether it runs without permission prompts (`unattended`, only in a DevMesh worktree).
import type BetterSqlite3 from 'better-sqlite3';

export const migration013 = {
  name: 'agent-supervision',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      ALTER TABLE agents ADD COLUMN supervise INTEGER NOT NULL DEFAULT 1;  -- 0: a crash is not relaunched
      ALTER TABLE agents ADD COLUMN unattended INTEGER NOT NULL DEFAULT 0; -- 1: launched with the no-prompts flag
    `);
  },
};
