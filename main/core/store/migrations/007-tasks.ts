// Schema 7: the task command center (owned by main/core/tasks). `tasks` holds each task and its current
// state; `task_transitions` its history (append-only); `task_bids` the bids of the current round (cleared
// when the task is re-queued); `task_locks` the INTENT lock ids its assignee holds for it. Lists (files,
// capabilities, dependencies) are JSON arrays: they are read whole and never queried inside.
import type BetterSqlite3 from 'better-sqlite3';

export const migration007 = {
  name: 'tasks',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE tasks (
        id                TEXT    PRIMARY KEY,
        project           TEXT    NOT NULL,
        root              TEXT    NOT NULL,
        title             TEXT    NOT NULL,
        prompt            TEXT    NOT NULL,
        files_json        TEXT    NOT NULL,
        capabilities_json TEXT    NOT NULL,
        priority          INTEGER NOT NULL,
        depends_on_json   TEXT    NOT NULL,
        critic_required   INTEGER NOT NULL,
        critic_of         TEXT,
        state             TEXT    NOT NULL,
        state_reason      TEXT    NOT NULL,
        assignee_id       TEXT,
        assignee_name     TEXT,
        terminal_id       TEXT,
        attempts          INTEGER NOT NULL,
        note              TEXT,
        created_by        TEXT    NOT NULL,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL
      );
      CREATE INDEX tasks_by_state ON tasks (state, priority DESC, created_at);
      CREATE INDEX tasks_by_assignee ON tasks (assignee_id, state);
      CREATE TABLE task_transitions (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        task       TEXT    NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        from_state TEXT,
        to_state   TEXT    NOT NULL,
        by         TEXT    NOT NULL,
        why        TEXT    NOT NULL,
        at         INTEGER NOT NULL
      );
      CREATE INDEX task_transitions_by_task ON task_transitions (task, seq);
      CREATE TABLE task_bids (
        task              TEXT    NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        agent_id          TEXT    NOT NULL,
        agent_name        TEXT    NOT NULL,
        capabilities_json TEXT    NOT NULL,
        estimate_minutes  REAL    NOT NULL,
        note              TEXT,
        match             REAL    NOT NULL,
        load              INTEGER NOT NULL,
        score             REAL    NOT NULL,
        at                INTEGER NOT NULL,
        PRIMARY KEY (task, agent_id)
      );
      CREATE TABLE task_locks (
        task    TEXT    NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        lock_id TEXT    NOT NULL,
        PRIMARY KEY (task, lock_id)
      );
    `);
  },
};
