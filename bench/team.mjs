// Team figures (issue 15; printed, never asserted), measured on real `devmesh up` daemons in throwaway network
// namespaces (tests/helpers/mesh-lab.ts, bundled at run time with esbuild; read-only here). One lab: alice and
// bob linked in one mesh, their project `shop` clones of one git repository (one identity key, so their locks
// are mesh-wide), and carol alone (no mesh, no teammate): the local baseline on the same machine, same build.
//   1. idle traffic per link (alice ↔ bob linked, nothing happening) over --idle-seconds (≥ 60 by default), in
//      WebSocket frame bytes from `mesh.peers` (bytesSent/bytesReceived) and on the wire (veth0 counters);
//      goal < 1 KB/min; against the heartbeat's ping/pong frames alone;
//   2. one link round trip: a TCP echo alice → bob (16 bytes, Node at both ends; p50/p99), and the daemons'
//      heartbeat round trip (the minimum the link measured, from `mesh.peers` latencyMs);
//   3. lock acquire+release of a WRITE lock on one file, sequential, through the API (a lock driver per host:
//      one process in the namespace, one WebSocket, tests/helpers/lock-driver.ts): on carol (no teammate, the
//      local baseline), then on alice (mesh-wide: a permission round with bob); p50/p99, and the ratio to one
//      link round trip and to the local pair; beside them the floor of two API calls (`daemon.info` twice);
//   4. message delivery across the link: `messages.send` from alice's human to bob's (`user@bob`), until bob's
//      event stream shows it stored (one way) and until alice's shows it acknowledged (delivered).
// Goals from the issue: mesh lock p50 ≤ 2 link round trips, p99 ≤ 5 ms on the lab network.
// The lab's folders are on tmpfs (/dev/shm: the audit chain's syncs cost nothing there) unless --disk.
// Usage: npm run bench:team [-- --quick | --pairs 1000 --idle-seconds 60 --pings 200 --messages 200 --disk]
// Needs root (network namespaces), iproute2 (`ip`) and dist/cli/devmesh.js (`npm run build`).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as L from './mesh/lib.mjs';
import { staleNote } from './mesh/stale-build.mjs';

const { HEARTBEAT_MS, disposeAll, f0, f2, printTable } = L;
const T_START = Date.now();
const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pairs: { type: 'string' },
    'idle-seconds': { type: 'string' },
    pings: { type: 'string' },
    messages: { type: 'string' },
    disk: { type: 'boolean', default: false },
  },
});
const q = o.quick;
const opts = {
  pairs: Number(o.pairs ?? (q ? 200 : 1000)),
  idleSeconds: Number(o['idle-seconds'] ?? (q ? 20 : 60)),
  pings: Number(o.pings ?? (q ? 50 : 200)),
  messages: Number(o.messages ?? (q ? 30 : 200)),
};
for (const [k, v] of Object.entries(opts))
  if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new Error(`bad --${k}: ${v}`);
if (opts.idleSeconds < 5 || opts.pings > 10_000) throw new Error('idle-seconds ≥ 5; pings ≤ 10,000');

// Every lock grant and release is synced to the audit chain before it is answered: on a shared disk that sync is
// most of a pair and varies with the neighbours' I/O (README, bench:locks). The lab's folders (homes, SQLite) go
// to tmpfs (/dev/shm) unless --disk, so the figures show what the mesh adds rather than the disk's noise.
const STORAGE = !o.disk && existsSync('/dev/shm') ? '/dev/shm' : null;
if (STORAGE) process.env.TMPDIR = STORAGE;

const cli = join(L.root, 'dist/cli/devmesh.js');
if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  console.log(
    'bench:team: skipped — it needs Linux network namespaces (root and iproute2 `ip`); this process is not root.',
  );
  process.exit(0);
}
const { MeshLab } = await L.loadMeshLab();
if (!MeshLab.available()) {
  console.log(`bench:team: skipped — ${MeshLab.unavailableReason()}.`);
  process.exit(existsSync(cli) ? 0 : 1);
}
let interrupted = null;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => {
    interrupted = sig;
    console.log(`\n${sig}: disposing the lab…`);
    void disposeAll().finally(() => process.exit(130));
  });
const watchdog = setTimeout(() => {
  console.log('\nbench:team: over 15 minutes, giving up');
  void disposeAll().finally(() => process.exit(1));
}, 15 * 60_000);
watchdog.unref();

const quantile = (xs, p) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const p50 = (xs) => quantile(xs, 0.5);
const p99 = (xs) => quantile(xs, 0.99);
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} ms` : '—');
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
const elapsed = () => `${((Date.now() - T_START) / 1000).toFixed(0)} s`;

/** frame bytes between two hosts' links and each host's veth0 counters, now */
async function traffic(lab, names) {
  const out = {};
  for (const n of names) {
    const host = lab.host(n);
    const peers = await host.api('mesh.peers');
    const [dev] = JSON.parse(
      execFileSync('ip', ['netns', 'exec', host.ns, 'ip', '-s', '-j', 'link', 'show', 'veth0'], {
        timeout: 5000,
        encoding: 'utf8',
      }),
    );
    out[n] = { t: Date.now(), peers, wire: dev.stats64.rx.bytes + dev.stats64.tx.bytes };
  }
  return out;
}

async function idleTraffic(lab) {
  const names = ['alice', 'bob'];
  await L.sleep(2_000); // the snapshots that follow a link's start are not idle
  const a = await traffic(lab, names);
  await L.sleep(opts.idleSeconds * 1000);
  const b = await traffic(lab, names);
  const rows = [];
  for (const n of names) {
    const other = names.find((x) => x !== n);
    const p0 = a[n].peers.find((p) => p.name === other);
    const p1 = b[n].peers.find((p) => p.name === other);
    const secs = (b[n].t - a[n].t) / 1000;
    const relinked = !p0 || !p1 || p0.since !== p1.since || p1.state !== 'connected';
    const sent = p1.bytesSent - p0.bytesSent;
    const recv = p1.bytesReceived - p0.bytesReceived;
    const wire = ((b[n].wire - a[n].wire) * 60) / secs;
    rows.push({ from: n, to: other, secs, sent, recv, perMin: ((sent + recv) * 60) / secs, wire, relinked });
  }
  return rows;
}

// A TCP echo between the namespaces (no ICMP `ping` on this machine): 16 bytes there and back, sequential, with
// Node on both ends, as the daemons' frames go (minus their TLS and JSON).
const ECHO_SERVER = `require('node:net').createServer((s) => { s.setNoDelay(true); s.pipe(s); })
  .listen(7791, process.argv[1], () => console.log('listening'));`;
const ECHO_CLIENT = `const net = require('node:net');
const [host, n] = [process.argv[2], Number(process.argv[3])];
const s = net.connect(7791, host, () => {
  s.setNoDelay(true);
  const out = [];
  let t0 = 0;
  const next = () => { t0 = performance.now(); s.write('x'.repeat(16)); };
  let got = 0;
  s.on('data', (d) => {
    got += d.length;
    if (got < 16) return;
    got -= 16;
    out.push(performance.now() - t0);
    if (out.length < n) next(); else { console.log(JSON.stringify(out)); s.end(); }
  });
  next();
});
s.on('error', (e) => { console.error(e.message); process.exit(2); });`;

async function echoRtts(lab, from, to) {
  const server = lab.netns.spawn(lab.host(to).index, process.execPath, ['-e', ECHO_SERVER, lab.host(to).ip], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the echo server did not start in 10 s')), 10_000);
      server.stdout.once('data', () => (clearTimeout(timer), resolve()));
      server.once('exit', (c) => (clearTimeout(timer), reject(new Error(`the echo server exited (${c})`))));
    });
    const r = await lab.host(from).node(ECHO_CLIENT, [lab.host(to).ip, String(opts.pings + 20)], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`echo client: ${r.stderr}`);
    return JSON.parse(r.stdout).slice(20);
  } finally {
    server.kill('SIGKILL');
  }
}

/** one acquire+release pair of a WRITE lock through `driver`: the pair's, the acquire's and the release's ms */
async function lockPair(driver, holder) {
  const t0 = performance.now();
  const a = await driver.acquire('p', { holder, mode: 'WRITE', path: 'src/orders.ts', waitMs: 0 });
  if (!a.ok) throw new Error(`${driver.label}: acquire refused: ${JSON.stringify(a.error)}`);
  const r = await driver.release('p');
  if (!r.ok) throw new Error(`${driver.label}: release refused: ${JSON.stringify(r.error)}`);
  return { pair: performance.now() - t0, acquire: a.ms, release: r.ms };
}

/** `n` sequential pairs on each of `takers` ({driver, holder}), interleaved so that both see the same load */
async function lockPairs(takers, n) {
  const out = takers.map(() => ({ pair: [], acquire: [], release: [] }));
  for (let i = 0; i < n + 20; i++) {
    for (const [k, t] of takers.entries()) {
      const one = await lockPair(t.driver, t.holder);
      if (i < 20) continue; // warm-up
      for (const f of ['pair', 'acquire', 'release']) out[k][f].push(one[f]);
    }
  }
  return out;
}

async function apiFloor(driver, n) {
  const two = [];
  for (let i = 0; i < n + 20; i++) {
    const t0 = performance.now();
    const first = await driver.call('daemon.info');
    const second = await driver.call('daemon.info');
    if (!first.ok || !second.ok) throw new Error('daemon.info failed');
    if (i >= 20) two.push(performance.now() - t0);
  }
  return two;
}

/** is the project's lock honoured on the other machine? (bob holds WRITE; alice's request must be refused) */
async function meshWide(alice, bob) {
  const held = await bob.acquire('probe', { holder: 'bench-probe', mode: 'WRITE', path: 'README.md', waitMs: 0 });
  if (!held.ok) throw new Error(`bob could not take the probe lock: ${JSON.stringify(held.error)}`);
  const asked = await alice.acquire('probe', { holder: 'bench-alice', mode: 'WRITE', path: 'README.md', waitMs: 0 });
  await bob.release('probe');
  if (asked.ok) await alice.release('probe');
  return { honoured: !asked.ok, error: asked.error ?? null };
}

async function messages(lab, aliceDriver) {
  const [alice, bob] = [lab.host('alice'), lab.host('bob')];
  const [onAlice, onBob] = await Promise.all([alice.followEvents(), bob.followEvents()]);
  const oneWay = [];
  const acked = [];
  try {
    for (let i = 0; i < opts.messages + 5; i++) {
      const body = `bench message ${i} ${Date.now()}`;
      const t0 = performance.now();
      const sent = await aliceDriver.call('messages.send', { from: 'user', to: 'user@bob', body });
      if (!sent.ok) throw new Error(`messages.send: ${JSON.stringify(sent.error)}`);
      const id = sent.value.id;
      await onBob.waitFor((e) => e.type === 'message.posted' && e.message?.body === body, {
        timeoutMs: 10_000,
        intervalMs: 1,
        what: `message ${i} stored on bob`,
      });
      const t1 = performance.now();
      await onAlice.waitFor((e) => e.type === 'message.delivered' && e.message?.id === id, {
        timeoutMs: 10_000,
        intervalMs: 1,
        what: `message ${i} acknowledged to alice`,
      });
      const t2 = performance.now();
      if (i < 5) continue;
      oneWay.push(t1 - t0);
      acked.push(t2 - t0);
    }
  } finally {
    onAlice.stop();
    onBob.stop();
  }
  return { oneWay, acked };
}

console.log(`DevMesh team bench — ${new Date().toISOString()}`);
console.log(
  `machine: ${availableParallelism()} cores, Node ${process.version}, loadavg ${loadavg().map(f2).join(' ')} (shared machine: compare rows within this run)`,
);
console.log(`DevMesh: ${cli}${staleNote(cli, L.root)}`);
console.log(`heartbeat ${HEARTBEAT_MS} ms (the product's default); alice and bob linked (static peers); carol alone`);
console.log(
  `storage: ${STORAGE ? `${STORAGE} (tmpfs: audit syncs are free; --disk for the machine's disk)` : `${tmpdir()} (disk)`}\n`,
);

const drivers = [];
try {
  const lab = await L.createLab(MeshLab, {
    hosts: ['alice', 'bob', 'carol'],
    members: ['alice', 'bob'],
    multicast: false,
    staticPeers: { alice: ['bob'] },
    services: [{ name: 'api', version: '1.0.0', autostart: false }],
  });
  await lab.waitFullMesh(['alice', 'bob'], { timeoutMs: 60_000 });

  // 1. idle first, while nothing else happens
  const idle = await idleTraffic(lab);
  const ping = 2 + 4 + 14; // a masked client ping frame with its 14-byte payload, and the pong
  const pong = 2 + 14;
  const baseline = ((ping + pong) * 60_000) / HEARTBEAT_MS;
  console.log(`1. Idle link traffic — alice ↔ bob linked and idle, ${f0(idle[0].secs)} s`);
  printTable(
    ['link, seen from', 'sent B', 'received B', 'frames B/min', 'vs ping/pong', 'veth0 B/min', ''],
    idle.map((x) => [
      `${x.from} → ${x.to}`,
      f0(x.sent),
      f0(x.recv),
      f0(x.perMin),
      ratio(x.perMin, baseline),
      f0(x.wire),
      x.relinked ? 'RELINKED: not idle' : '',
    ]),
  );
  const worst = Math.max(...idle.map((x) => x.perMin));
  console.log(
    `   goal < 1 KB/min of frames per link: ${worst < 1024 ? 'met' : 'MISSED'} (max ${f0(worst)} B/min); ` +
      `baseline, heartbeat ping+pong alone: ${f0(baseline)} B/min\n`,
  );

  // 2. one link round trip
  const echo = await echoRtts(lab, 'alice', 'bob');
  const peers = await lab.host('alice').api('mesh.peers');
  const hb = peers.find((p) => p.name === 'bob')?.latencyMs ?? NaN;
  console.log(`2. Link round trip alice → bob`);
  printTable(
    ['measure', 'n', 'p50', 'p99'],
    [
      ['TCP echo, 16 B (Node both ends)', echo.length, ms(p50(echo)), ms(p99(echo))],
      ['heartbeat (WebSocket ping/pong over TLS, min)', '—', ms(hb), ''],
    ],
  );
  console.log('');

  // 3. locks
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => lab.host(n).lockDriver()));
  drivers.push(alice, bob, carol);
  const probe = await meshWide(alice, bob);
  const floor = await apiFloor(alice, Math.min(opts.pairs, 500));
  const [local, mesh] = await lockPairs(
    [
      { driver: carol, holder: 'bench-local' },
      { driver: alice, holder: 'bench-mesh' },
    ],
    opts.pairs,
  );
  const rtt = p50(echo);
  console.log(
    `3. WRITE lock acquire+release, sequential, ${opts.pairs} pairs each after 20 warm-up, local and mesh interleaved (API via one WebSocket in the namespace)`,
  );
  if (!probe.honoured)
    console.log(
      '   NOTE: this build does not honour locks across the mesh (bob held WRITE, alice was granted it too): the "mesh" row is a local lock',
    );
  else console.log(`   mesh-wide check: bob's WRITE refused alice's (${probe.error?.code}: ${probe.error?.message})`);
  const row = (name, xs, base) => [name, ms(p50(xs)), ms(p99(xs)), ratio(p50(xs), rtt), ratio(p50(xs), base)];
  printTable(
    ['measure', 'p50', 'p99', 'p50 / link RTT (echo p50)', 'p50 / local pair'],
    [
      row('API floor: daemon.info ×2 (alice)', floor, p50(local.pair)),
      row('local pair (carol, no teammate)', local.pair, p50(local.pair)),
      row('  acquire', local.acquire, p50(local.pair)),
      row('  release', local.release, p50(local.pair)),
      row('mesh pair (alice, with bob)', mesh.pair, p50(local.pair)),
      row('  acquire', mesh.acquire, p50(local.pair)),
      row('  release', mesh.release, p50(local.pair)),
    ],
  );
  const extra = p50(mesh.pair) - p50(local.pair);
  const extraAcquire = p50(mesh.acquire) - p50(local.acquire);
  const link = Math.max(rtt, hb); // the slower of the two measures of one link round trip
  console.log(
    `   the mesh adds ${ms(extra)} to a pair at p50 (${ms(extraAcquire)} to the acquire, where the round is) = ` +
      `${ratio(extra, rtt)} echo round trips, ${ratio(extra, hb)} heartbeat round trips`,
  );
  console.log(
    `   goals: p50 ≤ 2 link round trips — what the mesh adds: ${extra <= 2 * link ? 'met' : 'MISSED'}, the whole pair: ` +
      `${p50(mesh.pair) <= 2 * link ? 'met' : 'MISSED'} (${ratio(p50(mesh.pair), link)}); ` +
      `p99 ≤ 5 ms: ${p99(mesh.pair) <= 5 ? 'met' : 'MISSED'} (${ms(p99(mesh.pair))}; the local pair's p99: ${ms(p99(local.pair))})\n`,
  );

  // 4. messages
  const m = await messages(lab, alice);
  console.log(`4. Message alice → bob (user → user@bob), sequential, ${opts.messages} after 5 warm-up`);
  printTable(
    ['measure', 'p50', 'p99', 'p50 / link RTT', 'p50 / local lock pair'],
    [
      [
        'stored on bob (one way)',
        ms(p50(m.oneWay)),
        ms(p99(m.oneWay)),
        ratio(p50(m.oneWay), rtt),
        ratio(p50(m.oneWay), p50(local.pair)),
      ],
      [
        'acknowledged to alice',
        ms(p50(m.acked)),
        ms(p99(m.acked)),
        ratio(p50(m.acked), rtt),
        ratio(p50(m.acked), p50(local.pair)),
      ],
    ],
  );
  console.log('   (times seen from this process through the event streams, polled every 1 ms)');
} catch (err) {
  if (interrupted) process.exitCode = 130;
  else {
    console.log(`\nbench:team failed (${elapsed()} in): ${err.stack ?? err}`);
    for (const lab of L.liveLabs()) console.log(lab.diagnostics(1500).slice(-6000));
    process.exitCode = 1;
  }
} finally {
  for (const d of drivers) d.stop();
  await disposeAll();
  console.log(`\ntotal ${elapsed()}; lab disposed`);
}
process.exit(process.exitCode ?? 0);
