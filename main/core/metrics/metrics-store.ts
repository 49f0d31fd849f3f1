// The minute rollups on disk (schema 17): one row per process and minute, written when a minute is over,
// read back for a history, pruned past the retention. A history read is bounded (MAX_POINTS rows).
import type { MetricsPoint } from '../../../shared/metrics.js';
import type { Database } from '../store/database.js';

export const MAX_POINTS = 2000;

export interface MinuteRow {
  key: string;
  minute: number;
  cpuAvg: number | null;
  cpuMax: number | null;
  rssAvg: number;
  rssMax: number;
  connections: number;
  gpuBytes: number | null;
  pids: number;
  samples: number;
}

interface Row {
  minute: number;
  cpu_avg: number | null;
  cpu_max: number | null;
  rss_avg: number;
  rss_max: number;
  connections: number;
  gpu_bytes: number | null;
  pids: number;
}

export class MetricsStore {
  private readonly put;
  private readonly range;
  private readonly prune;

  constructor(readonly database: Database) {
    const db = database.db;
    this.put = db.prepare(`
      INSERT OR REPLACE INTO process_metrics
        (key, minute, cpu_avg, cpu_max, rss_avg, rss_max, connections, gpu_bytes, pids, samples)
      VALUES (@key, @minute, @cpuAvg, @cpuMax, @rssAvg, @rssMax, @connections, @gpuBytes, @pids, @samples)`);
    // the newest MAX_POINTS of the range, returned oldest first
    this.range = db.prepare(`
      SELECT * FROM (
        SELECT minute, cpu_avg, cpu_max, rss_avg, rss_max, connections, gpu_bytes, pids FROM process_metrics
        WHERE key = ? AND minute >= ? AND minute <= ? ORDER BY minute DESC LIMIT ${MAX_POINTS}
      ) ORDER BY minute`);
    this.prune = db.prepare('DELETE FROM process_metrics WHERE minute < ?');
  }

  write(rows: readonly MinuteRow[]): void {
    if (rows.length === 0) return;
    this.database.db.transaction(() => {
      for (const r of rows) this.put.run(r);
    })();
  }

  history(key: string, from: number, to: number): MetricsPoint[] {
    return (this.range.all(key, from, to) as Row[]).map((r) => ({
      ts: r.minute,
      cpuPercent: r.cpu_avg,
      cpuMax: r.cpu_max,
      rssBytes: r.rss_avg,
      rssMax: r.rss_max,
      connections: r.connections,
      gpuBytes: r.gpu_bytes,
      pids: r.pids,
    }));
  }

  /** Deletes the rows of minutes before `before`; how many went. */
  pruneBefore(before: number): number {
    return this.prune.run(before).changes;
  }
}
