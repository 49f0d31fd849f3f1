// Schema 11: reminders (issue 16), messages DevMesh sends on a schedule. One row per reminder; `next_at` is
// the occurrence it waits for (NULL once done or cancelled), moved forward in the same statement that claims
// an occurrence, so each one fires once (main/core/reminders/reminder-store.ts).
import type BetterSqlite3 from 'better-sqlite3';

export const migration011 = {
  name: 'reminders',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE reminders (
        id            TEXT    PRIMARY KEY,          -- rem-…
        recipient     TEXT    NOT NULL,             -- as the message board addresses it
        recipient_name TEXT   NOT NULL,
        body          TEXT    NOT NULL,
        when_text     TEXT    NOT NULL,             -- as written: in 10m, 0 9 * * 1-5
        kind          TEXT    NOT NULL CHECK (kind IN ('once', 'cron')),
        at            INTEGER,                      -- once: ms since epoch
        cron          TEXT,                         -- cron: the expression
        timezone      TEXT,                         -- cron: IANA zone; NULL: the daemon's
        state         TEXT    NOT NULL CHECK (state IN ('scheduled', 'done', 'cancelled')),
        next_at       INTEGER,
        created_by    TEXT    NOT NULL,
        created_at    INTEGER NOT NULL,
        fired         INTEGER NOT NULL DEFAULT 0,
        last_fired_at INTEGER,
        last_error    TEXT
      );
      CREATE INDEX reminders_due ON reminders (next_at) WHERE state = 'scheduled';
    `);
  },
};
