// Folds samples into one row per process and minute (means and maxima), handed to the store once the minute
// is over. A process's minute is closed by its first sample of a later minute, or by `flushBefore` (a
// process that stopped, the daemon closing).
import type { ProcessUsage } from '../../../shared/metrics.js';
import type { MinuteRow } from './metrics-store.js';

interface Open {
  minute: number;
  cpuSum: number;
  cpuN: number;
  cpuMax: number | null;
  rssSum: number;
  rssMax: number;
  connections: number;
  gpuBytes: number | null;
  pids: number;
  samples: number;
}

export function minuteOf(ts: number): number {
  return ts - (ts % 60_000);
}

export class MinuteRollup {
  private readonly open = new Map<string, Open>();

  /** Adds a sample; returns the rows of minutes it closed. */
  add(u: ProcessUsage): MinuteRow[] {
    const minute = minuteOf(u.ts);
    const current = this.open.get(u.key);
    const closed: MinuteRow[] = [];
    let acc = current;
    if (acc && acc.minute !== minute) {
      closed.push(MinuteRollup.row(u.key, acc));
      acc = undefined;
    }
    if (!acc) {
      acc = {
        minute,
        cpuSum: 0,
        cpuN: 0,
        cpuMax: null,
        rssSum: 0,
        rssMax: 0,
        connections: 0,
        gpuBytes: null,
        pids: 0,
        samples: 0,
      };
      this.open.set(u.key, acc);
    }
    if (u.cpuPercent !== null) {
      acc.cpuSum += u.cpuPercent;
      acc.cpuN++;
      acc.cpuMax = Math.max(acc.cpuMax ?? 0, u.cpuPercent);
    }
    acc.rssSum += u.rssBytes;
    acc.rssMax = Math.max(acc.rssMax, u.rssBytes);
    acc.connections = Math.max(acc.connections, u.connections);
    if (u.gpuBytes !== null) acc.gpuBytes = Math.max(acc.gpuBytes ?? 0, u.gpuBytes);
    acc.pids = Math.max(acc.pids, u.pids);
    acc.samples++;
    return closed;
  }

  /** Closes the minutes of processes not in `live` (they stopped), or every minute when `live` is null. */
  flush(live: ReadonlySet<string> | null): MinuteRow[] {
    const rows: MinuteRow[] = [];
    for (const [key, acc] of this.open) {
      if (live !== null && live.has(key)) continue;
      rows.push(MinuteRollup.row(key, acc));
      this.open.delete(key);
    }
    return rows;
  }

  /** The minute still open for `key`, as a row (a history includes it). */
  peek(key: string): MinuteRow | null {
    const acc = this.open.get(key);
    return acc ? MinuteRollup.row(key, acc) : null;
  }

  private static row(key: string, a: Open): MinuteRow {
    return {
      key,
      minute: a.minute,
      cpuAvg: a.cpuN === 0 ? null : a.cpuSum / a.cpuN,
      cpuMax: a.cpuMax,
      rssAvg: a.rssSum / a.samples,
      rssMax: a.rssMax,
      connections: a.connections,
      gpuBytes: a.gpuBytes,
      pids: a.pids,
      samples: a.samples,
    };
  }
}
