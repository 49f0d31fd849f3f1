// Schema 12 (issue 16, what agents cost): token and cost figures per agent and per task, read from the
// OpenTelemetry the agent CLIs export. `usage_totals` sums them per (agent, task) ('' = no task held);
// `usage_series` keeps, per metric series, the last point taken, so a cumulative series is counted by its
// increase and a delta point sent twice (an exporter's retry) is counted once, across restarts too;
// `usage_budgets` the per-agent budget and whether it warned or stopped the agent already.
import type BetterSqlite3 from 'better-sqlite3';

export const migration012 = {
  name: 'usage',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE usage_totals (
        agent_id        TEXT    NOT NULL,
        task_id         TEXT    NOT NULL,          -- '' when the agent held no task
        input           REAL    NOT NULL DEFAULT 0,
        output          REAL    NOT NULL DEFAULT 0,
        cache_read      REAL    NOT NULL DEFAULT 0,
        cache_creation  REAL    NOT NULL DEFAULT 0,
        cost_usd        REAL    NOT NULL DEFAULT 0,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (agent_id, task_id)
      );
      CREATE INDEX usage_totals_by_task ON usage_totals (task_id);
      CREATE TABLE usage_series (
        series      TEXT    PRIMARY KEY,           -- agent id, metric, attributes (canonical JSON)
        agent_id    TEXT    NOT NULL,
        start_ns    TEXT    NOT NULL,              -- the point's startTimeUnixNano (a new one: a reset)
        time_ns     TEXT    NOT NULL,              -- the newest timeUnixNano taken
        value       REAL    NOT NULL,              -- a cumulative series' last value
        updated_at  INTEGER NOT NULL
      );
      CREATE INDEX usage_series_by_agent ON usage_series (agent_id);
      CREATE TABLE usage_budgets (
        agent_id    TEXT    PRIMARY KEY,
        unit        TEXT    NOT NULL,              -- tokens | usd
        limit_value REAL    NOT NULL,
        warn_at     REAL    NOT NULL,
        warned_at   INTEGER,
        stopped_at  INTEGER
      );
    `);
  },
};
