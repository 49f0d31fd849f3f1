// Lock and audit figures (printed, never asserted), each against a baseline measured in the same run:
//   1. a lock acquire+release pair through the API of a real `devmesh up --port 0` (own temp DEVMESH_HOME,
//      one project with no services, mDNS off, every port on 127.0.0.1), over the loopback WebSocket the CLI
//      uses: p50/p99 and pairs/s, sequential and from N clients at once; against a `daemon.info` round trip
//      on the same connections. Every grant and release goes to the audit chain, synced before the answer.
//   2. LockManager acquire+release pairs/s in this process, against a Map set+delete loop;
//   3. 50 agents contending on 10 files for 10 s in this process (random modes, random files, a wait, a
//      short hold), grants/s and the invariant checked at every grant (no WRITE beside another holder, the
//      matrix of main/core/locks/lock-matrix.ts never violated); against the same agents with no locking;
//   4. AuditLog appends/s with durability 'full', 'grouped' and 'batched' on a real Database, against plain SQLite
//      inserts (a transaction per row, synchronous=FULL / NORMAL) on the same disk;
//   5. `audit verify` time for 1,000,000 entries appended with 'batched' durability (entries/s): appended
//      through AuditLog for up to --append-seconds, the rest written in bulk with the same encoding.
// Sections 2-5 run main/core's TypeScript (bundled in memory by esbuild, bench/locks/lib.mjs); section 1 the
// built CLI. Each section lives in bench/locks/<section>.mjs (api, in-process, contention, audit).
// Usage: npm run bench:locks [-- --quick | --seq-pairs 1000 --clients 8 --concurrent-seconds 8 --agents 50
//        --files 10 --contention-seconds 10 --audit-seconds 3 --verify-entries 1000000
//        --append-seconds 40 (3600: every entry through AuditLog.append)]
// Needs dist/cli/devmesh.js (`npm run build`) and esbuild (a devDependency); DEVMESH_BENCH_CLI measures
// another build of the CLI.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiLocks } from './locks/api.mjs';
import { auditAppends, auditVerify } from './locks/audit.mjs';
import { contention } from './locks/contention.mjs';
import { inProcess } from './locks/in-process.mjs';
import * as L from './locks/lib.mjs';
import { f0, f1, f2, times } from './locks/lib.mjs';
import { staleNote } from './mesh/stale-build.mjs';

const T_START = Date.now();
const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'seq-pairs': { type: 'string' },
    clients: { type: 'string' },
    'concurrent-seconds': { type: 'string' },
    agents: { type: 'string' },
    files: { type: 'string' },
    'contention-seconds': { type: 'string' },
    'audit-seconds': { type: 'string' },
    'verify-entries': { type: 'string' },
    'append-seconds': { type: 'string' },
  },
});
const q = o.quick;
const opts = {
  seqPairs: Number(o['seq-pairs'] ?? (q ? 200 : 1000)),
  seqSeconds: q ? 5 : 20,
  seqCalls: q ? 1000 : 4000,
  clients: Number(o.clients ?? 8),
  concurrentSeconds: Number(o['concurrent-seconds'] ?? (q ? 2 : 8)),
  mapOps: q ? 1_000_000 : 5_000_000,
  lockOps: q ? 10_000 : 30_000,
  agents: Number(o.agents ?? 50),
  files: Number(o.files ?? 10),
  contentionSeconds: Number(o['contention-seconds'] ?? (q ? 3 : 10)),
  auditSeconds: Number(o['audit-seconds'] ?? (q ? 1 : 3)),
  verifyEntries: Number(o['verify-entries'] ?? (q ? 100_000 : 1_000_000)),
  appendSeconds: Number(o['append-seconds'] ?? (q ? 5 : 40)),
};
const limits = {
  seqPairs: 100_000,
  clients: 64,
  concurrentSeconds: 120,
  agents: 1000,
  files: 1000,
  contentionSeconds: 120,
  auditSeconds: 60,
  verifyEntries: 10_000_000,
  appendSeconds: 3600,
};
for (const [k, max] of Object.entries(limits))
  if (!Number.isInteger(opts[k]) || opts[k] < 1 || opts[k] > max)
    throw new Error(
      `bad --${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${opts[k]} (an integer from 1 to ${max})`,
    );

const cli = process.env.DEVMESH_BENCH_CLI ?? join(L.root, 'dist/cli/devmesh.js');
if (!existsSync(cli)) {
  console.log(
    `bench:locks needs the built CLI at ${cli}: run \`npm run build\` first (or point DEVMESH_BENCH_CLI at a build)`,
  );
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'devmesh-bench-locks-'));
const elapsed = () => `${((Date.now() - T_START) / 1000).toFixed(0)} s`;
let daemon = null;
let api = null;

async function cleanup() {
  api?.close();
  if (daemon) await L.stop(daemon.child, 'SIGTERM', 10_000);
  await L.stopAll();
  rmSync(work, { recursive: true, force: true });
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => {
    interrupted = true;
    console.log(`\n${sig}: stopping the daemon, removing ${work}…`);
    const hard = setTimeout(() => {
      L.killAllNow();
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    }, 12_000);
    void cleanup().finally(() => {
      clearTimeout(hard);
      process.exit(130);
    });
  });
const watchdog = setTimeout(() => {
  console.log('\nbench:locks: over 8 minutes, giving up');
  L.killAllNow();
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}, 8 * 60_000);
watchdog.unref();

// ================= header =================
const busy = await L.machineBusy(1000);
console.log(`DevMesh locks bench — ${new Date().toISOString()}${q ? ' (--quick)' : ''}`);
console.log(
  `machine: ${availableParallelism()} cores (nproc), ${cpus()[0]?.model?.trim() ?? '?'}, Node ${process.version}`,
);
console.log(
  `load: CPU ${f1(busy)}% busy in the 1 s before the run, loadavg ${loadavg().map(f2).join(' ')} (the machine is shared: compare rows within this run)`,
);
console.log(`DevMesh: ${cli}${staleNote(cli, L.root)}; core for sections 2-5: main/core TypeScript of this tree`);
console.log(`work folder: ${work} (daemon home, project, databases; removed at the end)`);
console.log(`options: ${JSON.stringify(opts)}\n`);

try {
  const projectDir = join(work, 'project');
  const files = L.makeProject(projectDir, 'lockbench', Math.max(opts.files, opts.clients + 1));
  const ctx = { work, projectDir, files, project: 'lockbench', core: await L.loadCore() };

  daemon = await L.startDaemon(cli, join(work, 'home'));
  api = await L.apiClient(daemon);
  const opened = await api.call('projects.open', { root: projectDir });
  console.log(
    `daemon up in ${f0(daemon.upMs)} ms (pid ${daemon.pid}, API port ${daemon.port}); project ${opened.id} open at ${projectDir}\n`,
  );
  const r1 = await apiLocks({ ...ctx, daemon, api }, opts); // 1
  api.close();
  api = null;
  await L.stop(daemon.child, 'SIGTERM', 10_000);
  daemon = null;

  await inProcess(ctx, opts); // 2
  const c = await contention(ctx, opts); // 3
  const a = await auditAppends(ctx, opts); // 4
  const v = await auditVerify(ctx, opts); // 5

  const syncs = 2 * (1000 / a.grouped1);
  console.log('summary');
  console.log(
    `  a lock acquire+release through the API: p50 ${f2(r1.pairP50)} ms (a daemon.info round trip: ${f2(r1.infoP50)} ms); two synced audit appends in-process ('grouped', one per sync; section 4, measured later): ${f2(syncs)} ms, ${times(syncs / r1.pairP50)} the pair's p50 (sync times swing with the disk's other users)`,
  );
  console.log(
    `  pairs/s through the API: ${f0(r1.pairsPerSec)} sequential, ${f0(r1.concurrentPairsPerSec)} from ${opts.clients} clients (group commit: ${times(r1.concurrentPairsPerSec / r1.pairsPerSec)})`,
  );
  console.log(
    `  contention: ${c.violations === 0 ? `invariant held over ${f0(c.grants)} grants` : `INVARIANT VIOLATED ${c.violations} times`}; audit verify of ${f0(opts.verifyEntries)} entries: ${v.ok ? 'ok' : 'BROKEN'}, ${f0(v.verifyPerSec)} entries/s`,
  );
} catch (err) {
  if (!interrupted) {
    console.log(`\nbench:locks failed (${elapsed()} in): ${err.stack ?? err}`);
    if (daemon) console.log(`daemon stderr (tail): ${daemon.child.err.slice(-2000)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) {
    await cleanup();
    console.log(`total ${elapsed()}; daemon stopped, ${work} removed`);
  }
}
if (!interrupted) process.exit(process.exitCode ?? 0);
