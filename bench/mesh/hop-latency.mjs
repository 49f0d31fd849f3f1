// Section 5 of bench/mesh.mjs: the added latency of a peer hop (bob's proxy → alice's peer ingress →
// alice's api) against a direct request, sequential keep-alive GETs; beside it a plain server across the
// same lab network and alice's own proxy to a local instance.
import * as L from './lib.mjs';

const { HEARTBEAT_MS, f0, f2, signed, printTable } = L;

// 5. the added latency of a peer hop
export async function hopLatency(lab, alice, bob, opts) {
  const api = (await alice.status()).find((s) => s.name === 'api');
  if (!api?.port) throw new Error(`alice's api has no port: ${JSON.stringify(api)}`);
  // Does the service listen on the lab address, so bob could call it directly?
  let reachable = null;
  try {
    const r = await bob.get(`http://${alice.ip}:${api.port}/`, { timeoutMs: 3000 });
    reachable = `yes (HTTP ${r.status})`;
  } catch (err) {
    reachable = `no: ${String(err.message).split(': ').at(-1)}`;
  }
  const plain = L.spawnIn(lab, alice, 'plain-server.mjs', [alice.ip]);
  const { port: plainPort } = await L.waitJsonLine(plain, (m) => m.port > 0, 10_000, 'plain server in alice');
  const n = opts.latencyN;
  const warm = Math.min(200, n);
  const runIn = async (host, targets) => {
    const child = L.spawnIn(lab, host, 'latency.mjs', [JSON.stringify(targets), n, warm, 10]);
    try {
      return (await L.waitJsonLine(child, (m) => m.done === true, 300_000, `latency run in ${host.name}`)).stats;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  };
  const inAlice = await runIn(alice, [
    { key: 'direct', url: `http://127.0.0.1:${api.port}/` },
    { key: 'local', url: `http://127.0.0.1:${alice.proxyPort}/`, host: 'api.localhost' },
  ]);
  const inBob = await runIn(bob, [
    { key: 'net', url: `http://${alice.ip}:${plainPort}/` },
    { key: 'hop', url: `http://127.0.0.1:${bob.proxyPort}/`, host: 'api.localhost' },
  ]);
  plain.kill('SIGKILL');
  return { n, warm, apiPort: api.port, reachable, stats: { ...inAlice, ...inBob } };
}

export function printLatency(r) {
  const s = r.stats;
  console.log(
    `5. Added latency of a peer hop — ${f0(r.n)} sequential GETs per path on one keep-alive connection each (after ${r.warm} warm-up), paths interleaved in 10 blocks; heartbeat ${HEARTBEAT_MS} ms (default)`,
  );
  console.log(
    `   alice's api listens on 127.0.0.1:${r.apiPort} only (a GET from bob to ${'alice'}'s lab address: reachable ${r.reachable}), so "direct" is measured inside alice's namespace`,
  );
  const d = s.direct;
  const lab = {
    direct: 'A. direct: alice → 127.0.0.1:<api port> (inside alice, no DevMesh)',
    local: "B. alice's own proxy: alice → alice proxy → alice api",
    net: 'C. network, no DevMesh: bob → plain server on alice 10.x',
    hop: "D. peer hop: bob → bob's proxy → alice's ingress → alice api",
  };
  const rows = ['direct', 'local', 'net', 'hop'].map((k) => {
    const x = s[k];
    if (!x) return [lab[k], 'not measured'];
    const extra = [
      x.errors ? `${x.errors} errors` : '',
      k !== 'direct' && k !== 'net'
        ? Object.entries(x.upstreams)
            .map(([u, c]) => `${u} ×${c}`)
            .join(', ')
        : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [
      lab[k],
      x.n,
      f0(x.mean),
      f0(x.p50),
      f0(x.p99),
      k === 'direct' ? '' : `${signed(x.p50 - d.p50, f0)} µs`,
      k === 'direct' ? '' : `${signed(x.p99 - d.p99, f0)} µs`,
      k === 'direct' ? '' : `${f2(x.p50 / d.p50)}×`,
      extra,
    ];
  });
  printTable(['path', 'n', 'mean µs', 'p50 µs', 'p99 µs', 'p50 vs A', 'p99 vs A', 'p50 ÷ A', 'upstream'], rows);
  const { local, net, hop } = s;
  if (hop && net && local) {
    console.log(
      `   the peer hop (D) over a direct request to the peer across the same network (C): p50 ${signed(hop.p50 - net.p50, f0)} µs (${f2(hop.p50 / net.p50)}×), p99 ${signed(hop.p99 - net.p99, f0)} µs (${f2(hop.p99 / net.p99)}×)`,
    );
    console.log(
      `   the peer hop (D) over going through one's own proxy to a local instance (B): p50 ${signed(hop.p50 - local.p50, f0)} µs, p99 ${signed(hop.p99 - local.p99, f0)} µs`,
    );
    console.log(
      `   one DevMesh proxy on loopback (B − A): p50 ${signed(local.p50 - d.p50, f0)} µs; the lab network itself (C − A): p50 ${signed(net.p50 - d.p50, f0)} µs`,
    );
  }
  console.log('');
}
