// Preloaded into the benchmarked daemon (`node --require stall-probe.cjs devmesh.js up`): counts what can
// stall its event loop while a request is in flight, so bench:proxy can say where a latency tail comes
// from rather than guess. Measured from inside, changing nothing in DevMesh:
//   - garbage collections by kind (PerformanceObserver 'gc');
//   - synchronous SQLite transactions (better-sqlite3's Database#transaction: the request log's batches);
// each as a count, a total, and how many lasted at least 0.5, 1, 2 and 5 ms. The figures are cumulative
// (a bench takes differences over its windows) and go to $DEVMESH_BENCH_STALL_FILE as one JSON object,
// rewritten every 200 ms (unref'd).
'use strict';
const { writeFileSync } = require('node:fs');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { dirname } = require('node:path');

const file = process.env.DEVMESH_BENCH_STALL_FILE;
if (file) {
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
  };
  const OVER = [0.5, 1, 2, 5];
  const slot = () => ({ n: 0, totalMs: 0, over: OVER.map(() => 0) });
  const stats = { over: OVER, gc: {}, sqlite: slot() };
  const add = (s, ms) => {
    s.n++;
    s.totalMs += ms;
    OVER.forEach((limit, i) => ms >= limit && s.over[i]++);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) add((stats.gc[kinds[e.detail?.kind] ?? 'other'] ??= slot()), e.duration);
  }).observe({ entryTypes: ['gc'] });
  // The daemon loads better-sqlite3 from the CLI's own node_modules: patch that copy, before it is used.
  const cli = process.argv[1];
  try {
    const Database = require(require.resolve('better-sqlite3', { paths: [dirname(cli)] }));
    const transaction = Database.prototype.transaction;
    Database.prototype.transaction = function (fn) {
      const run = transaction.call(this, fn);
      const timed = function (...args) {
        const t0 = performance.now();
        try {
          return run.apply(this, args);
        } finally {
          add(stats.sqlite, performance.now() - t0);
        }
      };
      for (const k of ['deferred', 'immediate', 'exclusive']) timed[k] = run[k];
      return timed;
    };
  } catch (err) {
    stats.sqlite.error = err.message;
  }
  setInterval(() => {
    try {
      writeFileSync(file, JSON.stringify(stats));
    } catch {
      // the bench is gone; nothing to report to
    }
  }, 200).unref();
}
