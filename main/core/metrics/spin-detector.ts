// Is a process pinned on the CPU? The run of samples at or above `cpuPercent` of one core that ends with the
// latest one covers at least `forMs`. Each sample's CPU figure covers the time since the sample before it, so
// the run reaches back to the sample before its first (a process that just started is not judged yet).
import type { SpinSettings } from '../settings/metrics-settings.js';

export interface CpuPoint {
  ts: number;
  cpuPercent: number | null;
}

export interface SpinVerdict {
  spinning: boolean;
  /** how long CPU has stayed at or above the threshold */
  spanMs: number;
  /** the lowest and the mean CPU % over that run (0 when there is none) */
  minPercent: number;
  meanPercent: number;
}

export function judgeSpin(points: readonly CpuPoint[], settings: SpinSettings): SpinVerdict | null {
  if (points.length < 2) return null;
  const last = points[points.length - 1]!;
  let i = points.length - 1;
  let min = Infinity;
  let sum = 0;
  while (i >= 1) {
    const cpu = points[i]!.cpuPercent;
    if (cpu === null || cpu < settings.cpuPercent) break;
    min = Math.min(min, cpu);
    sum += cpu;
    i--;
  }
  const run = points.length - 1 - i;
  if (run === 0) return { spinning: false, spanMs: 0, minPercent: 0, meanPercent: 0 };
  const spanMs = last.ts - points[i]!.ts;
  return { spinning: spanMs >= settings.forMs, spanMs, minPercent: min, meanPercent: sum / run };
}
