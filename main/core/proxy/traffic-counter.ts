// One stream of requests counted for the faces: totals, rates over the last 10 seconds in one-second
// buckets, and latency percentiles over the last 1,000 requests. TrafficStats keeps one per service and
// one per caller → instance edge.
const WINDOW_SECONDS = 10;
const LATENCY_SAMPLES = 1000;

export interface TrafficWindow {
  requests: number;
  errors: number;
  requestsPerSec: number;
  errorsPerSec: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export class TrafficCounter {
  private requests = 0;
  private errors = 0;
  private readonly buckets = new Array<{ second: number; requests: number; errors: number } | undefined>(
    WINDOW_SECONDS,
  );
  // Grown as samples arrive (then a ring): a counter that saw a handful of requests stays small.
  private readonly latencies: number[] = [];
  private latencyCount = 0;

  /** One request at `second` (epoch seconds); `durationMs` null: no latency sample (a WebSocket session). */
  add(second: number, isError: boolean, durationMs: number | null): void {
    this.requests++;
    if (isError) this.errors++;
    const slot = second % WINDOW_SECONDS;
    const bucket = this.buckets[slot];
    if (!bucket || bucket.second !== second) this.buckets[slot] = { second, requests: 1, errors: isError ? 1 : 0 };
    else {
      bucket.requests++;
      if (isError) bucket.errors++;
    }
    if (durationMs !== null) this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = durationMs;
  }

  /** Totals since start, rates over the 10 s before `second`, percentiles over the last samples. */
  read(second: number): TrafficWindow {
    let requests = 0;
    let errors = 0;
    for (const b of this.buckets) {
      if (b && second - b.second < WINDOW_SECONDS) {
        requests += b.requests;
        errors += b.errors;
      }
    }
    const n = this.latencies.length;
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    const pct = (p: number) => (n === 0 ? null : Math.round(sorted[Math.min(n - 1, Math.floor(p * n))]! * 100) / 100);
    return {
      requests: this.requests,
      errors: this.errors,
      requestsPerSec: requests / WINDOW_SECONDS,
      errorsPerSec: errors / WINDOW_SECONDS,
      p50Ms: pct(0.5),
      p95Ms: pct(0.95),
    };
  }
}
