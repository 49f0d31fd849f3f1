// Time limits for tests that scale with how busy this machine is. A limit in a test is the time something
// takes on a quiet machine times a margin; on a shared 2-core machine with other suites (or two
// `yes > /dev/null` hogs) beside it, everything runs slower by about the number of runnable tasks per
// core. The factor is measured once per test process, when a test file first asks for it:
//   - the run queue: the 1- and 5-minute load averages per CPU (`os.loadavg()`), which lag behind a load
//     that just started;
//   - a short calibration: 5 rounds of ~12 ms of busy loop (the median), and the share of that wall time
//     this process was actually on a CPU (`process.cpuUsage()`), which sees a load that started a second ago.
// The larger of the two, at least 1 and capped (a hung test still fails in bounded time).
// DEVMESH_TEST_TIME_SCALE=<n> sets the factor (CI on a known machine, or to reproduce a timeout).
//
//   it('...', async () => { await until('x', probe, scaled(5_000)); }, scaled(40_000));
import { availableParallelism, loadavg } from 'node:os';

/** the largest factor: a limit never grows beyond this many times its quiet-machine value */
export const MAX_LOAD_FACTOR = 8;
const CALIBRATION_MS = 12;
const CALIBRATION_ROUNDS = 5;

export interface LoadMeasure {
  /** max(1-min, 5-min load average) / CPU count */
  runQueuePerCpu: number;
  /** wall time of a busy loop / CPU time it got */
  cpuStretch: number;
  /** what limits are multiplied by: the larger of the two, within [1, MAX_LOAD_FACTOR] (or the override) */
  factor: number;
  /** DEVMESH_TEST_TIME_SCALE, when set */
  override: number | null;
}

let measured: LoadMeasure | null = null;

/** Wall time over CPU time of a busy loop: 1 on an idle core, ~2 when two runnable tasks share each core.
 * The median of a few short rounds: one round can land on a moment the process was not scheduled at all. */
export function cpuStretch(windowMs = CALIBRATION_MS, rounds = CALIBRATION_ROUNDS): number {
  const all = Array.from({ length: rounds }, () => stretchOnce(windowMs)).sort((a, b) => a - b);
  return all[Math.floor(all.length / 2)] ?? 1;
}

function stretchOnce(windowMs: number): number {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const windowNs = BigInt(Math.round(windowMs * 1e6));
  let elapsed = 0n;
  while (elapsed < windowNs) elapsed = process.hrtime.bigint() - t0;
  const wallMs = Number(elapsed) / 1e6;
  const used = process.cpuUsage(cpu0);
  const cpuMs = (used.user + used.system) / 1000;
  // cpuUsage counts every thread of the process (GC, libuv): it can exceed the wall time of the loop
  return Math.max(1, wallMs / Math.max(cpuMs, wallMs / MAX_LOAD_FACTOR));
}

/** Measures the machine's load (once per process; `fresh` measures again). */
export function measureLoad(fresh = false): LoadMeasure {
  if (measured && !fresh) return measured;
  const [one = 0, five = 0] = loadavg();
  const runQueuePerCpu = Math.max(one, five) / Math.max(1, availableParallelism());
  const stretch = cpuStretch();
  const raw = process.env.DEVMESH_TEST_TIME_SCALE;
  const parsed = raw === undefined || raw === '' ? NaN : Number(raw);
  const override = Number.isFinite(parsed) && parsed > 0 ? parsed : null;
  const factor = override ?? Math.min(MAX_LOAD_FACTOR, Math.max(1, runQueuePerCpu, stretch));
  measured = { runQueuePerCpu, cpuStretch: stretch, factor, override };
  return measured;
}

/** The factor time limits are multiplied by on this machine now (≥ 1). */
export function loadFactor(): number {
  return measureLoad().factor;
}

/** `ms` (a limit that holds on a quiet machine, with margin) scaled by the machine's load, in whole ms. */
export function scaled(ms: number): number {
  return Math.ceil(ms * loadFactor());
}

/** One line for a test's log: what the limits were scaled by, and why. */
export function describeLoad(): string {
  const m = measureLoad();
  const measured = `run queue ${m.runQueuePerCpu.toFixed(2)}/cpu, cpu stretch ${m.cpuStretch.toFixed(2)}`;
  const why = m.override !== null ? 'DEVMESH_TEST_TIME_SCALE' : measured;
  return `time limits ×${m.factor.toFixed(2)} (${why})`;
}
