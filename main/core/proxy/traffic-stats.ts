// Per-service traffic counters for the faces (and later the service graph): totals, rates over the last
// 10 seconds in one-second buckets, and latency percentiles over the last 1,000 requests. Pushed once a
// second while there is traffic, plus once when a rate falls back to zero.
import type { RequestRecord, ServiceTraffic } from '../../../shared/proxy.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../lifecycle/disposable.js';

const WINDOW_SECONDS = 10;
const LATENCY_SAMPLES = 1000;

class Counter {
  requests = 0;
  errors = 0;
  readonly buckets = new Array<{ second: number; requests: number; errors: number }>(WINDOW_SECONDS);
  readonly latencies = new Float64Array(LATENCY_SAMPLES);
  latencyCount = 0;

  constructor(
    readonly project: string,
    readonly service: string,
  ) {}
}

export class TrafficStats implements Disposable {
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | null = null;
  private activeLastTick = false;

  constructor(
    private readonly events: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts pushing snapshots once a second (unref'd: it never keeps DevMesh alive). */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  observe(record: RequestRecord): void {
    if (record.project === null || record.service === null) return;
    const key = `${record.project}\0${record.service}`;
    let c = this.counters.get(key);
    if (!c) {
      c = new Counter(record.project, record.service);
      this.counters.set(key, c);
    }
    const isError = record.status >= 500 || record.error !== null;
    c.requests++;
    if (isError) c.errors++;
    const second = Math.floor(this.now() / 1000);
    const slot = second % WINDOW_SECONDS;
    const bucket = c.buckets[slot];
    if (!bucket || bucket.second !== second) c.buckets[slot] = { second, requests: 1, errors: isError ? 1 : 0 };
    else {
      bucket.requests++;
      if (isError) bucket.errors++;
    }
    if (!record.websocket) c.latencies[c.latencyCount++ % LATENCY_SAMPLES] = record.durationMs;
  }

  snapshot(project?: string): ServiceTraffic[] {
    const second = Math.floor(this.now() / 1000);
    const out: ServiceTraffic[] = [];
    for (const c of this.counters.values()) {
      if (project && c.project !== project) continue;
      let requests = 0;
      let errors = 0;
      for (const b of c.buckets) {
        if (b && second - b.second < WINDOW_SECONDS) {
          requests += b.requests;
          errors += b.errors;
        }
      }
      const n = Math.min(c.latencyCount, LATENCY_SAMPLES);
      const sorted = Array.from(c.latencies.subarray(0, n)).sort((a, b) => a - b);
      const pct = (p: number) => (n === 0 ? null : Math.round(sorted[Math.min(n - 1, Math.floor(p * n))]! * 100) / 100);
      out.push({
        project: c.project,
        service: c.service,
        requests: c.requests,
        errors: c.errors,
        requestsPerSec: requests / WINDOW_SECONDS,
        errorsPerSec: errors / WINDOW_SECONDS,
        p50Ms: pct(0.5),
        p95Ms: pct(0.95),
      });
    }
    return out;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const snapshot = this.snapshot();
    const active = snapshot.some((s) => s.requestsPerSec > 0);
    if (active || this.activeLastTick) this.events.traffic(snapshot);
    this.activeLastTick = active;
  }
}
