// Runs inside an observer's network namespace (bench/mesh.mjs starts it): polls `mesh.peers` of the daemon
// of $DEVMESH_HOME over its loopback API every <intervalMs> (one WebSocket, one call at a time) and prints
// a JSON line whenever any peer's (state, since) changes: {t, peers:[{name, state, since, lastHeartbeat,
// via}]}. First line: {ready:true}. Runs until killed (bounded by the bench: SIGKILL at the end).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const WebSocket = createRequire(import.meta.url)(process.env.BENCH_WS);
const intervalMs = Math.max(10, Number(process.argv[2] ?? 50));
const home = process.env.DEVMESH_HOME;
const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const ws = new WebSocket(`ws://127.0.0.1:${record.port}/api`, ['devmesh.v1', `devmesh-token.${token}`], {
  handshakeTimeout: 5000,
});
const fail = (m) => {
  process.stderr.write(`${m}\n`);
  process.exit(2);
};
ws.on('error', (e) => fail(`api: ${e.message}`));
ws.on('close', () => fail('api: closed'));
let id = 0;
let last = '';
let pending = null;
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type !== 'result' || m.id !== id || !pending) return;
  const done = pending;
  pending = null;
  done(m);
});
const call = (method, input = {}) =>
  new Promise((resolve) => {
    pending = resolve;
    ws.send(JSON.stringify({ type: 'call', id: ++id, method, input }));
  });
ws.on('open', async () => {
  process.stdout.write(`${JSON.stringify({ ready: true, t: Date.now() })}\n`);
  for (;;) {
    const t0 = Date.now();
    const m = await call('mesh.peers');
    if (!m.ok) fail(`mesh.peers: ${JSON.stringify(m.error)}`);
    const peers = m.value.map((p) => ({
      name: p.name,
      state: p.state,
      since: p.since,
      lastHeartbeat: p.lastHeartbeat,
      via: p.via,
    }));
    const key = JSON.stringify(peers.map((p) => [p.name, p.state, p.since]).sort());
    if (key !== last) {
      last = key;
      process.stdout.write(`${JSON.stringify({ t: Date.now(), peers })}\n`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t0))));
  }
});
