// Helpers for bench/locks.mjs and its sections (bench/locks/*.mjs): the core classes the in-process sections
// measure (LockManager, the lock matrix, AuditLog, Database: main/core TypeScript bundled at run time with
// esbuild and compiled in memory, so it is the code in the tree, not the dist bundle), a project folder with
// the files the locks name, loops that yield to the event loop (timers such as 'batched' audit flushes
// must run, as they do in the daemon), and what bench/terminals/lib.mjs already has (the daemon, the API
// client, statistics, tables).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setImmediate as breathe } from 'node:timers/promises';
import { loadTs } from '../ts-module.mjs';
import { root } from '../terminals/lib.mjs';

export {
  apiClient,
  bounded,
  f0,
  f1,
  f2,
  machineBusy,
  printTable,
  quantiles,
  root,
  sleep,
  startDaemon,
  stop,
  stopAll,
  killAllNow,
} from '../terminals/lib.mjs';

/** The core classes the bench drives, from main/core TypeScript (esbuild, dependencies from node_modules). */
export function loadCore() {
  return loadTs(root, 'bench/locks', 'bench-locks-core', [
    "export { LockManager } from './main/core/locks/lock-manager.ts';",
    "export { LOCK_MATRIX, admits } from './main/core/locks/lock-matrix.ts';",
    "export { AuditLog } from './main/core/audit/audit-log.ts';",
    "export { Database } from './main/core/store/database.ts';",
    "export { auditHash, auditMirrorLine } from './main/core/audit/audit-encoding.ts';",
    "export { canonicalJson } from './main/core/audit/canonical-json.ts';",
    "export { LOCK_MODES } from './shared/lock.ts';",
  ]);
}

/** better-sqlite3 as the product loads it (the baseline of section 4 writes with it directly) */
export const BetterSqlite3 = () => createRequire(join(root, 'bench/locks/x.cjs'))('better-sqlite3');

/** A project folder holding devmesh.yaml (one service, never started) and `files` source files src/f0.ts…; returns the paths. */
export function makeProject(dir, id, files) {
  mkdirSync(join(dir, 'src'), { recursive: true });
  // a project needs a service: one that never starts (the bench opens the project only for its lock space)
  writeFileSync(
    join(dir, 'devmesh.yaml'),
    `project: ${id}\nservices:\n  idle:\n    version: 1.0.0\n    command: "sleep 3600"\n    autostart: false\n`,
  );
  const paths = [];
  for (let i = 0; i < files; i++) {
    const rel = `src/f${i}.ts`;
    writeFileSync(join(dir, rel), `export const f${i} = ${i};\n`);
    paths.push(rel);
  }
  return paths;
}

/**
 * Calls `step()` (synchronous, one operation) until `seconds` pass or `max` operations are done, giving the
 * event loop a turn every ~10 ms; `onProgress(done)` every `progressEvery` operations. Returns { n, ms }.
 */
export async function timedLoop(
  step,
  { seconds = Infinity, max = Infinity, progressEvery = 0, onProgress = null } = {},
) {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let n = 0;
  let nextProgress = progressEvery || Infinity;
  for (;;) {
    const sliceEnd = performance.now() + 10;
    let now;
    do {
      step(n);
      n++;
      now = performance.now();
    } while (n < max && now < sliceEnd && now < end);
    if (n >= nextProgress) {
      onProgress?.(n, now - t0);
      nextProgress += progressEvery;
    }
    if (n >= max || now >= end) return { n, ms: now - t0 };
    await breathe();
  }
}

/** a tight synchronous loop of `n` calls, best of `reps` (for sub-microsecond operations) */
export function tightOps(step, n, reps = 3) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step(i);
    best = Math.min(best, performance.now() - t0);
  }
  return { n, ms: best, perSec: (n / best) * 1000 };
}

export const rate = (n, ms) => (n / ms) * 1000;
/** "12.3×", "0.53×", "0.0022×" */
export const times = (x) =>
  Number.isFinite(x)
    ? `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2)}×`
    : '—';
/** a random integer in [0, n) */
export const pick = (n) => Math.floor(Math.random() * n);
