// Section 1 of bench/mesh.mjs: time from a daemon's start (spawn of `devmesh up`) to its being `connected`
// on the others, each time a fresh agent the others have never seen; beside it the daemon's own time to
// "DevMesh is up". Run once per lab: mDNS (L2) and static peers (L1).
import * as L from './lib.mjs';

const { HEARTBEAT_MS, NEWCOMERS, watch, unwatch, f0, f2, signed, median, max, printTable } = L;

// 1. start → connected on the others
export async function discovery(lab, mode, opts) {
  const t = Date.now();
  const alice = lab.host('alice');
  const bob = lab.host('bob');
  await Promise.all([alice.start(), bob.start()]);
  await lab.waitFullMesh(['alice', 'bob'], { timeoutMs: 30_000 });
  const ws = [await watch(lab, alice), await watch(lab, bob)];
  const rows = [];
  const names = NEWCOMERS.slice(0, opts.reps);
  for (const [i, name] of names.entries()) {
    const h = lab.host(name);
    await L.sleep(300); // let the previous one's goodbye settle
    const tSpawn = Date.now();
    const starting = h.start({ timeoutMs: 60_000 });
    let tUp = null;
    h.daemon.stdout.on('data', () => {
      if (tUp === null && h.output.includes('DevMesh is up')) tUp = Date.now();
    });
    await starting;
    tUp ??= Date.now();
    const seen = await Promise.all(ws.map((w) => w.waitFor(name, (r) => r.state === 'connected', tSpawn, 60_000)));
    rows.push({ name, up: tUp - tSpawn, on: seen.map((r) => r.since - tSpawn), via: seen.map((r) => r.via) });
    if (i < names.length - 1) {
      const tStop = Date.now();
      await h.stop();
      await Promise.all(
        ws.map((w) => w.waitFor(name, (r) => r.state !== 'connected', tStop, 15_000).catch(() => null)),
      );
    }
  }
  unwatch(...ws);
  return { mode, rows, observers: ['alice', 'bob'], secs: (Date.now() - t) / 1000 };
}

export function printDiscovery(res) {
  console.log(
    `1. Time from \`devmesh up\` (spawn) to connected on the others — heartbeat ${HEARTBEAT_MS} ms (default); each sample a fresh agent`,
  );
  console.log(
    '   the others (alice, bob) have never seen; newcomers run one service (api); the others watch with 50 ms polls',
  );
  const table = [];
  for (const r of [res.mdns, res.static]) {
    if (!r) continue;
    const up = r.rows.map((x) => x.up);
    const all = r.rows.map((x) => Math.max(...x.on));
    const first = r.rows.map((x) => Math.min(...x.on));
    const after = r.rows.map((x) => Math.max(...x.on) - x.up);
    const ratio = r.rows.map((x) => Math.max(...x.on) / x.up);
    const via = {};
    for (const x of r.rows) for (const v of x.via) via[v] = (via[v] ?? 0) + 1;
    table.push([
      r.mode === 'mdns' ? 'mDNS (multicast on, no static peers)' : 'static peers (multicast off)',
      r.rows.length,
      `${f0(median(up))} / ${f0(max(up))}`,
      `${f0(median(first))} / ${f0(max(first))}`,
      `${f0(median(all))} / ${f0(max(all))}`,
      `${signed(median(after), f0)} / ${signed(max(after), f0)}`,
      `${f2(median(ratio))}×`,
      Object.entries(via)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ]);
  }
  printTable(
    [
      'discovery',
      'n',
      '"DevMesh is up" ms med/max',
      'on 1st other ms',
      'on both others ms',
      'both − up ms',
      'both ÷ up',
      'link came from',
    ],
    table,
  );
  for (const r of [res.mdns, res.static]) {
    if (!r) continue;
    console.log(
      `   ${r.mode} samples (up → on alice, bob, ms): ${r.rows.map((x) => `${x.name} ${x.up}→${x.on.join(',')}`).join('; ')}`,
    );
  }
  console.log(
    '   "link came from": how each observer\'s link to the newcomer was made (inbound: the newcomer dialed it)\n',
  );
}
