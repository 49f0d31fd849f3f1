// The idle-WebSocket part of bench:proxy: holds up to `idleWs` idle WebSockets through one proxy (the client
// in its own process, bench/proxy/ws-idle-client.mjs) and reads the proxy's RSS before, holding and after;
// when the proxy's open-files limit cannot hold them all it holds what fits (two fds per connection).
import { fdCount, fdLimit, rssMb, sleep, start, stop, waitJson } from './lib.mjs';

export async function idleHold(p, { idleWs, node, script, nofile }) {
  const pids = p.pids();
  if (!pids.length) throw new Error('no process to measure');
  const rss = () => pids.reduce((s, pid) => s + rssMb(pid), 0);
  // fds: two per held connection in the proxy, plus what it already uses and some slack
  const room = Math.min(...pids.map((pid) => fdLimit(pid).soft - fdCount(pid))) - 100;
  const count = Math.max(0, Math.min(idleWs, Math.floor(room / 2)));
  const limit = fdLimit(pids.at(-1)).soft;
  const fit = Math.round(count).toLocaleString('en-US');
  const capNote =
    count < idleWs
      ? `(only ${fit} fit: 2 fds per connection and the proxy's open-files limit is ${limit}; past the hard limit needs CAP_SYS_RESOURCE)`
      : '';
  const before = rss();
  const client = start(node, [script, `ws://127.0.0.1:${p.port}/`, p.host ?? '', String(count), '250'], { nofile });
  try {
    const done = await waitJson(client, 'done', Math.max(60_000, count * 10), 'idle WebSocket client');
    await sleep(1500);
    const during = rss();
    client.stdin.write('check\n');
    const check = await waitJson(client, 'checked', 15_000, 'idle WebSocket client check');
    client.stdin.end('close\n');
    await stop(client, 'SIGTERM', 10_000);
    await sleep(1500);
    const after = rss();
    const perConnKb = done.opened ? ((during - before) * 1024) / done.opened : NaN;
    return { count, before, during, after, perConnKb, capNote, ...done, ok: check.ok, checked: check.checked };
  } finally {
    await stop(client);
  }
}
