// Time limits that grow with the machine's load: a bound tuned to a quiet machine fails on a busy CI box
// (two CPU hogs beside the suite, other suites' daemons). `scaled(ms)` multiplies a quiet-machine bound by
// the run-queue length per core (load average over the last minute), at least 1×, at most 8×.
import { cpus, loadavg } from 'node:os';

export function loadFactor(): number {
  const perCore = loadavg()[0]! / Math.max(1, cpus().length);
  return Math.min(8, Math.max(1, perCore));
}

export function scaled(ms: number): number {
  return Math.round(ms * loadFactor());
}
