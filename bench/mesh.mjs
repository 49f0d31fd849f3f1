// Mesh figures (printed, never asserted), measured on real `devmesh up` daemons in throwaway network
// namespaces (tests/helpers/mesh-lab.ts, bundled at run time with esbuild; read-only here):
//   1. time from a daemon's start (spawn of `devmesh up`) to its being `connected` on the others, (a) by
//      mDNS (multicast on, no static peers, no invite seeds) and (b) by static peers (multicast off); each
//      time a fresh agent the others have never seen; beside it the daemon's own time to "DevMesh is up";
//   2. time to mark a killed peer unreachable: (a) every process of its namespace SIGKILLed (the kernel
//      closes its TCP connections), (b) its daemon frozen (SIGSTOP) and (c) its cable pulled (link down):
//      silence, which only the heartbeat can detect;
//   3. share of 10,000 GETs through bob's proxy that succeed while one of the two serving peers is
//      SIGKILLed after ~30% of the run (target ≥ 99.9%): default routing (3 runs), then with bob's api set to
//      `prefer: <victim>` so that every request is on it when it dies, then once with its cable pulled instead;
//   4. idle bytes per minute per link between 3 linked idle daemons (target < 1 KB/min), against the
//      WebSocket ping/pong frames alone;
//   5. the added latency of a peer hop (bob's proxy → alice's peer ingress → alice's api) against a direct
//      request, sequential keep-alive GETs.
// The daemons run the product's default heartbeat (5000 ms) everywhere; each section says so. Peers are
// watched from inside the observers' namespaces by polling the daemon API (`mesh.peers`) every 50 ms; the
// times are the daemon's own `since` stamps (same machine clock), so the poll interval does not limit them.
// Two labs: L1 (static peers, mDNS off: 1b, then idle for 4) and L2 (mDNS: 1a, 2, 3, 5); 4's 60 s wait runs
// while L2 works. Every lab is disposed in `finally` and on SIGINT/SIGTERM; every wait is bounded.
// Each section lives in bench/mesh/<section>.mjs (discovery, unreachable, failover, idle, hop-latency); what they
// share (the lab registry, watchers, statistics) in bench/mesh/lib.mjs.
// Usage: npm run bench:mesh [-- --quick | --reps 5 --freeze-reps 3 --linkdown-reps 2 --runs 3 --prefer-runs 1 --pull-runs 1 --requests 10000
//        --concurrency 16 --idle-seconds 60 --latency-n 2000 --get-timeout 30]
// Needs root, iproute2 (`ip`) and dist/cli/devmesh.js (`npm run build`).
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { discovery, printDiscovery } from './mesh/discovery.mjs';
import { failover, printFailover } from './mesh/failover.mjs';
import { hopLatency, printLatency } from './mesh/hop-latency.mjs';
import { printIdle, startIdle } from './mesh/idle.mjs';
import * as L from './mesh/lib.mjs';
import { staleNote } from './mesh/stale-build.mjs';
import { printUnreachable, unreachable } from './mesh/unreachable.mjs';

const T_START = Date.now();
const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    'freeze-reps': { type: 'string' },
    'linkdown-reps': { type: 'string' },
    runs: { type: 'string' },
    'pull-runs': { type: 'string' },
    'prefer-runs': { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    'idle-seconds': { type: 'string' },
    'latency-n': { type: 'string' },
    'get-timeout': { type: 'string' },
  },
});
const q = o.quick;
const opts = {
  reps: Number(o.reps ?? (q ? 2 : 5)),
  freezeReps: Number(o['freeze-reps'] ?? (q ? 1 : 3)),
  linkdownReps: Number(o['linkdown-reps'] ?? (q ? 0 : 2)),
  runs: Number(o.runs ?? (q ? 1 : 3)),
  pullRuns: Number(o['pull-runs'] ?? 1),
  preferRuns: Number(o['prefer-runs'] ?? 1),
  requests: Number(o.requests ?? (q ? 2000 : 10_000)),
  concurrency: Number(o.concurrency ?? 16),
  idleSeconds: Number(o['idle-seconds'] ?? (q ? 20 : 60)),
  latencyN: Number(o['latency-n'] ?? (q ? 500 : 2000)),
  getTimeout: Number(String(o['get-timeout'] ?? 30).replace(/s$/, '')),
};
for (const [k, v] of Object.entries(opts))
  if (!Number.isInteger(v) || v < 0 || v > 100_000) throw new Error(`bad --${k}: ${v}`);
if (
  opts.reps < 1 ||
  opts.runs + opts.preferRuns + opts.pullRuns < 1 ||
  opts.requests < 10 ||
  opts.concurrency < 1 ||
  opts.idleSeconds < 5 ||
  opts.getTimeout < 1
)
  throw new Error('reps ≥ 1; runs + prefer-runs + pull-runs ≥ 1; requests ≥ 10; idle-seconds ≥ 5; get-timeout ≥ 1');

const { HEARTBEAT_MS, NEWCOMERS, disposeAll, watch, unwatch, f2 } = L;
const cli = join(L.root, 'dist/cli/devmesh.js');

// ---- availability: namespaces, the bundle, the build ----
if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  console.log(
    'bench:mesh: skipped — it needs Linux network namespaces (root and iproute2 `ip`); this process is not root.',
  );
  process.exit(0);
}
const { MeshLab } = await L.loadMeshLab();
if (!MeshLab.available()) {
  console.log(`bench:mesh: skipped — ${MeshLab.unavailableReason()}.`);
  process.exit(existsSync(cli) ? 0 : 1);
}

let interrupted = null;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => {
    interrupted = sig;
    console.log(`\n${sig}: disposing the labs…`);
    void disposeAll().finally(() => process.exit(130));
  });
// a hard bound on the whole run, whatever hangs
const watchdog = setTimeout(() => {
  console.log('\nbench:mesh: over 20 minutes, giving up');
  void disposeAll().finally(() => process.exit(1));
}, 20 * 60_000);
watchdog.unref();

const createLab = (options) => L.createLab(MeshLab, options);
const elapsed = () => `${((Date.now() - T_START) / 1000).toFixed(0)} s`;

console.log(`DevMesh mesh bench — ${new Date().toISOString()}`);
console.log(
  `machine: ${availableParallelism()} cores (nproc), Node ${process.version}, loadavg ${loadavg().map(f2).join(' ')} (the machine is shared: compare rows within this run)`,
);
console.log(`DevMesh: ${cli}${staleNote(cli, L.root)}`);
console.log(
  `heartbeat: ${HEARTBEAT_MS} ms (the product's default) on every daemon, every section; peers polled from inside the namespaces every 50 ms via the API, times from the daemons' own state-change stamps\n`,
);

let L1 = null;
let L2 = null;
let idle = null; // the running idle measurement (section 4)
const results = {};
try {
  // ================= 1b on L1: static peers, multicast off =================
  const newcomers = NEWCOMERS.slice(0, opts.reps);
  const onlyApi = Object.fromEntries(newcomers.map((n) => [n, [{ name: 'api', version: '1.0.0' }]]));
  L1 = await createLab({
    hosts: ['alice', 'bob', ...newcomers],
    multicast: false,
    inviteSeeds: false,
    start: false,
    staticPeers: { alice: ['bob'], ...Object.fromEntries(newcomers.map((n) => [n, ['alice', 'bob']])) },
    servicesByHost: onlyApi,
  });
  results.static = await discovery(L1, 'static', opts);
  // L1 now holds alice, bob and the last newcomer, linked: leave it idle for section 4
  idle = startIdle(L1, ['alice', 'bob', newcomers.at(-1)], opts);
  await idle.started;

  // ================= 1a, 2, 3, 5 on L2: mDNS =================
  L2 = await createLab({
    hosts: ['alice', 'bob', ...newcomers],
    multicast: true,
    inviteSeeds: false,
    start: false,
    servicesByHost: onlyApi,
  });
  results.mdns = await discovery(L2, 'mdns', opts);
  printDiscovery(results);

  const victim = L2.host(newcomers.at(-1));
  const alice = L2.host('alice');
  const bob = L2.host('bob');
  const ws = [await watch(L2, alice), await watch(L2, bob)];
  const section2 = await unreachable(L2, ws, victim, opts);
  printUnreachable(section2, victim.name);
  unwatch(...ws);

  const section3 = await failover(L2, alice, bob, victim, opts);
  printFailover(section3, victim.name, opts);

  const section5 = await hopLatency(L2, alice, bob, opts);

  const section4 = await idle.result;
  printIdle(section4);
  printLatency(section5);
} catch (err) {
  if (interrupted) process.exitCode = 130;
  else {
    console.log(`\nbench:mesh failed (${elapsed()} in): ${err.stack ?? err}`);
    for (const lab of L.liveLabs()) console.log(lab.diagnostics(1500).slice(-6000));
    process.exitCode = 1;
  }
} finally {
  await disposeAll();
  console.log(`\ntotal ${elapsed()}; labs disposed`);
}
process.exit(process.exitCode ?? 0); // nothing left to wait for (a failed run may leave a bounded sleep pending)
