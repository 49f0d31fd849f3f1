// Is a process's memory climbing steadily? Over the window: a least-squares line through the resident memory
// (fitLine) rises, fits well (R² ≥ minR2, so a sawtooth of garbage collections or one step up is not a
// leak), memory rose in at least minRisingShare of the steps between samples (a monotonic share), and the
// line grew by minGrowthBytes across the window. Judged on the samples kept in memory.
import type { LeakSettings } from '../settings/metrics-settings.js';
import { fitLine } from './least-squares.js';

export interface MemoryPoint {
  ts: number;
  rssBytes: number;
}

export interface LeakVerdict {
  leaking: boolean;
  /** bytes per minute, of the fitted line */
  slopePerMin: number;
  r2: number;
  risingShare: number;
  /** what the line grew across the window */
  growthBytes: number;
  spanMs: number;
}

export function judgeLeak(points: readonly MemoryPoint[], settings: LeakSettings): LeakVerdict | null {
  if (points.length < 3) return null;
  const last = points[points.length - 1]!.ts;
  const window = points.filter((p) => p.ts >= last - settings.windowMs);
  const spanMs = last - window[0]!.ts;
  // a window not yet covered (a service started a minute ago) says nothing about a trend over it
  if (window.length < 3 || spanMs < settings.windowMs * 0.8) return null;
  const fit = fitLine(
    window.map((p) => p.ts),
    window.map((p) => p.rssBytes),
  );
  if (fit === null) return null;
  let rising = 0;
  for (let i = 1; i < window.length; i++) if (window[i]!.rssBytes > window[i - 1]!.rssBytes) rising++;
  const risingShare = rising / (window.length - 1);
  const growthBytes = fit.slope * spanMs;
  const leaking =
    fit.slope > 0 &&
    fit.r2 >= settings.minR2 &&
    risingShare >= settings.minRisingShare &&
    growthBytes >= settings.minGrowthBytes;
  return { leaking, slopePerMin: fit.slope * 60_000, r2: fit.r2, risingShare, growthBytes, spanMs };
}
