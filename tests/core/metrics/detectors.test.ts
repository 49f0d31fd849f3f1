// The named methods behind the alerts: least squares (slope and R²), the leak verdict (a rising line that fits,
// a monotonic share, a minimum growth, over a covered window) and the spin verdict (a run of samples pinned at
// the threshold covering the span).
import { describe, expect, it } from 'vitest';
import { fitLine } from '../../../main/core/metrics/least-squares.js';
import { judgeLeak } from '../../../main/core/metrics/leak-detector.js';
import { judgeSpin } from '../../../main/core/metrics/spin-detector.js';
import { mulberry32 } from '../../helpers/mulberry32.js';

const MB = 1024 * 1024;
const leak = { windowMs: 60_000, minR2: 0.8, minRisingShare: 0.6, minGrowthBytes: 20 * MB };
const spin = { cpuPercent: 90, forMs: 30_000 };

/** a sample every 5 s over `ms`, memory from f(t) */
function series(ms: number, f: (t: number, i: number) => number): { ts: number; rssBytes: number }[] {
  const out = [];
  for (let t = 0, i = 0; t <= ms; t += 5000, i++) out.push({ ts: 1_700_000_000_000 + t, rssBytes: f(t, i) });
  return out;
}

describe('fitLine', () => {
  it('finds the slope and R² of a line, with epoch timestamps', () => {
    const xs = [1_700_000_000_000, 1_700_000_001_000, 1_700_000_002_000];
    const fit = fitLine(xs, [10, 20, 30])!;
    expect(fit.slope).toBeCloseTo(0.01, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
    expect(fitLine([1, 2, 3], [5, 5, 5])!.r2).toBe(0);
    expect(fitLine([1, 1], [1, 2])).toBeNull();
    expect(fitLine([1], [1])).toBeNull();
    // noise around a flat line explains little
    const rnd = mulberry32(7);
    const noisy = fitLine(
      Array.from({ length: 100 }, (_, i) => i),
      Array.from({ length: 100 }, () => rnd()),
    )!;
    expect(noisy.r2).toBeLessThan(0.2);
  });
});

describe('judgeLeak', () => {
  it('says a steady climb is a leak, with its slope and fit', () => {
    const v = judgeLeak(
      series(60_000, (t) => 100 * MB + (t / 1000) * MB),
      leak,
    )!;
    expect(v.leaking).toBe(true);
    expect(v.slopePerMin).toBeCloseTo(60 * MB, -3);
    expect(v.r2).toBeCloseTo(1, 5);
    expect(v.risingShare).toBe(1);
    expect(v.growthBytes).toBeCloseTo(60 * MB, -3);
  });

  it('does not call a flat, a sawtooth, a single step, a slow climb or a short window a leak', () => {
    const flat = judgeLeak(
      series(60_000, () => 100 * MB),
      leak,
    )!;
    expect(flat.leaking).toBe(false);
    // garbage collections: up 10 MB a sample, back down every fourth
    const saw = judgeLeak(
      series(60_000, (_t, i) => 100 * MB + (i % 4) * 10 * MB),
      leak,
    )!;
    expect(saw.leaking).toBe(false);
    // one step up (a cache filled once) fits a line poorly... and rose in one step of twelve
    const step = judgeLeak(
      series(60_000, (t) => (t < 30_000 ? 100 * MB : 200 * MB)),
      leak,
    )!;
    expect(step.risingShare).toBeLessThan(0.2);
    expect(step.leaking).toBe(false);
    // steady but tiny: 1 MB in the window is below min_growth
    expect(
      judgeLeak(
        series(60_000, (t) => 100 * MB + t * 17),
        leak,
      )!.leaking,
    ).toBe(false);
    // a window not yet covered says nothing
    expect(
      judgeLeak(
        series(20_000, (t) => 100 * MB + (t / 1000) * MB),
        leak,
      ),
    ).toBeNull();
    expect(judgeLeak([], leak)).toBeNull();
  });

  it('judges only the window: an old climb that stopped is no leak now', () => {
    const v = judgeLeak(
      series(180_000, (t) => 100 * MB + Math.min(t, 60_000) * 1000),
      leak,
    )!;
    expect(v.leaking).toBe(false);
  });
});

describe('judgeSpin', () => {
  const cpu = (values: (number | null)[]) => values.map((cpuPercent, i) => ({ ts: i * 5000, cpuPercent }));

  it('says a run pinned at the threshold for the span is a spin', () => {
    const v = judgeSpin(cpu([5, 99, 100, 98, 97, 99, 100, 100]), spin)!;
    expect(v.spinning).toBe(true);
    expect(v.spanMs).toBe(35_000);
    expect(v.minPercent).toBe(97);
  });

  it('does not call a short run, a dip or an unmeasured sample a spin', () => {
    expect(judgeSpin(cpu([5, 99, 100, 98]), spin)!.spinning).toBe(false);
    expect(judgeSpin(cpu([99, 99, 99, 99, 50, 99, 99, 99]), spin)!.spinning).toBe(false);
    expect(judgeSpin(cpu([99, 99, 99, 99, 99, 99, 99, 5]), spin)).toMatchObject({ spinning: false, spanMs: 0 });
    expect(judgeSpin(cpu([null, 99, 99, 99, null]), spin)!.spinning).toBe(false);
    expect(judgeSpin(cpu([99]), spin)).toBeNull();
  });

  it('counts multi-core use: 180% of one core is above 90%', () => {
    expect(judgeSpin(cpu([180, 180, 180, 180, 180, 180, 180, 180]), spin)!.spinning).toBe(true);
  });
});
