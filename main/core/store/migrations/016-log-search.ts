// Schema 16 (issue 18): logs kept by size and age per project instead of 20,000 lines per service, searched
// with SQLite FTS5. A line gets its level (pino's scale) and, when the service printed JSON, its message and
// fields. `log_fts` is contentless (it holds only the index, the text stays in log_lines) with
// contentless_delete, so retention removes a line from the index by rowid without re-reading its text.
// `log_usage` keeps each project's bytes and lines, updated in the same transactions as log_lines.
// Lines already stored stay, indexed as printed, their level taken from their stream.
import type BetterSqlite3 from 'better-sqlite3';

export const migration016 = {
  name: 'log-search',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      ALTER TABLE log_lines ADD COLUMN level INTEGER;    -- 10 trace … 60 fatal; NULL: unknown
      ALTER TABLE log_lines ADD COLUMN msg TEXT;         -- a structured line's message; NULL: a plain line
      ALTER TABLE log_lines ADD COLUMN fields TEXT;      -- a structured line's other keys, as JSON
      UPDATE log_lines SET level = CASE stream WHEN 'stderr' THEN 40 WHEN 'system' THEN 30 END;
      -- what level>=warn and above read without scanning every line
      CREATE INDEX log_lines_warn ON log_lines (project, seq) WHERE level >= 40;
      CREATE VIRTUAL TABLE log_fts USING fts5(body, content = '', contentless_delete = 1);
      INSERT INTO log_fts (rowid, body) SELECT seq, text FROM log_lines;
      CREATE TABLE log_usage (
        project TEXT    PRIMARY KEY,
        bytes   INTEGER NOT NULL,                        -- UTF-8 bytes of the lines' text
        lines   INTEGER NOT NULL
      );
      INSERT INTO log_usage (project, bytes, lines)
        SELECT project, sum(length(CAST(text AS BLOB))), count(*) FROM log_lines GROUP BY project;
    `);
  },
};
