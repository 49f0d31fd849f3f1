// Every sample of the last minutes, per process, in memory: what sparklines, the fine history and the leak and
// spin detectors read. A ring per process (its capacity: the window over the interval, at most MAX_RING
// points); a process not sampled for a whole window is forgotten.
import type { MetricsPoint, ProcessUsage } from '../../../shared/metrics.js';

const MAX_RING = 7200;

export class FineHistory {
  private readonly rings = new Map<string, MetricsPoint[]>();
  private readonly capacity: number;

  constructor(
    private readonly windowMs: number,
    intervalMs: number,
  ) {
    // one interval of margin: the detectors look back a whole window from the newest sample
    this.capacity = Math.min(MAX_RING, Math.ceil(windowMs / intervalMs) + 2);
  }

  add(usage: ProcessUsage): void {
    let ring = this.rings.get(usage.key);
    if (!ring) this.rings.set(usage.key, (ring = []));
    ring.push(FineHistory.point(usage));
    if (ring.length > this.capacity) ring.splice(0, ring.length - this.capacity);
  }

  /** The points of `key` in [from, to], oldest first. */
  range(key: string, from = 0, to = Infinity): MetricsPoint[] {
    return (this.rings.get(key) ?? []).filter((p) => p.ts >= from && p.ts <= to);
  }

  /** Drops processes whose newest point is older than the window. */
  expire(now: number): void {
    for (const [key, ring] of this.rings) {
      const newest = ring[ring.length - 1];
      if (!newest || newest.ts < now - this.windowMs) this.rings.delete(key);
    }
  }

  /** how far back the fine points reach for `key` (its oldest one), or null */
  oldest(key: string): number | null {
    return this.rings.get(key)?.[0]?.ts ?? null;
  }

  static point(u: ProcessUsage): MetricsPoint {
    return {
      ts: u.ts,
      cpuPercent: u.cpuPercent,
      cpuMax: u.cpuPercent,
      rssBytes: u.rssBytes,
      rssMax: u.rssBytes,
      connections: u.connections,
      gpuBytes: u.gpuBytes,
      pids: u.pids,
    };
  }
}
