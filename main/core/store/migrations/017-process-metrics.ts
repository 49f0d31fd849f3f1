// Schema 17 (issue 18, what every process uses): one row a minute per measured process (a service's tree, an
// agent, a terminal), kept for a day (main/core/metrics/metrics-store.ts prunes older rows). The samples of
// the last minutes stay in memory only. `key` is shared/metrics.ts's process key (`service:shop/api`).
import type BetterSqlite3 from 'better-sqlite3';

export const migration017 = {
  name: 'process-metrics',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE process_metrics (
        key          TEXT    NOT NULL,
        minute       INTEGER NOT NULL,              -- ms since the epoch at the minute's start
        cpu_avg      REAL,                          -- % of one core; NULL: no sample measured CPU
        cpu_max      REAL,
        rss_avg      REAL    NOT NULL,
        rss_max      REAL    NOT NULL,
        connections  INTEGER NOT NULL,              -- the most established TCP connections seen
        gpu_bytes    REAL,                          -- the most GPU memory seen; NULL: no nvidia-smi
        pids         INTEGER NOT NULL,              -- the most processes in the tree seen
        samples      INTEGER NOT NULL,
        PRIMARY KEY (key, minute)
      ) WITHOUT ROWID;
      CREATE INDEX process_metrics_by_minute ON process_metrics (minute);
    `);
  },
};
