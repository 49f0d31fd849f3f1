// Section 4 of bench/mesh.mjs: idle bytes per minute per link between 3 linked idle daemons (target
// < 1 KB/min), against the WebSocket ping/pong frames alone. It runs in the background on its own lab (L1)
// while the other sections work, and disposes that lab when done.
import { execFileSync } from 'node:child_process';
import * as L from './lib.mjs';

const { HEARTBEAT_MS, dispose, f0, f1, f2, median, max, printTable } = L;

// 4. idle bytes per link (L1: alice, bob and the last static newcomer, linked and idle)
export function startIdle(lab, names, opts) {
  let resolveStarted;
  const started = new Promise((r) => (resolveStarted = r));
  // What actually crossed each host's cable: IP packets with their TCP/IP headers, ACKs and TLS records.
  const wire = (n) => {
    const [dev] = JSON.parse(
      execFileSync('ip', ['netns', 'exec', lab.host(n).ns, 'ip', '-s', '-j', 'link', 'show', 'veth0'], {
        timeout: 5000,
        encoding: 'utf8',
      }),
    );
    return {
      bytes: dev.stats64.rx.bytes + dev.stats64.tx.bytes,
      packets: dev.stats64.rx.packets + dev.stats64.tx.packets,
    };
  };
  const read = async () => {
    const out = {};
    await Promise.all(
      names.map(async (n) => {
        const peers = await lab.host(n).api('mesh.peers');
        out[n] = { t: Date.now(), peers: Object.fromEntries(peers.map((p) => [p.name, p])), wire: wire(n) };
      }),
    );
    return out;
  };
  const result = (async () => {
    await lab.waitFullMesh(names, { timeoutMs: 30_000 });
    await L.sleep(1000);
    const a = await read();
    resolveStarted();
    const t0 = Math.min(...Object.values(a).map((x) => x.t));
    await L.sleep(Math.max(0, t0 + opts.idleSeconds * 1000 - Date.now()));
    const b = await read();
    const rows = [];
    for (const n of names) {
      for (const m of names) {
        if (m === n) continue;
        const p0 = a[n].peers[m];
        const p1 = b[n].peers[m];
        const secs = (b[n].t - a[n].t) / 1000;
        const relinked = !p0 || !p1 || p0.since !== p1.since || p1.state !== 'connected';
        const sent = p1.bytesSent - p0.bytesSent;
        const recv = p1.bytesReceived - p0.bytesReceived;
        rows.push({ from: n, to: m, secs, sent, recv, perMin: ((sent + recv) * 60) / secs, relinked, role: null });
      }
    }
    const wireRows = names.map((n) => {
      const secs = (b[n].t - a[n].t) / 1000;
      const links = names.length - 1;
      return {
        host: n,
        links,
        bytesPerLinkMin: ((b[n].wire.bytes - a[n].wire.bytes) * 60) / secs / links,
        packetsPerLinkMin: ((b[n].wire.packets - a[n].wire.packets) * 60) / secs / links,
      };
    });
    await dispose(lab); // nothing else needs L1
    return { names, rows, wireRows };
  })();
  result.catch(() => resolveStarted());
  return { started, result };
}

export function printIdle(r) {
  // A heartbeat is one WebSocket ping from the dialer (client → server frames are masked: 2-byte header +
  // 4-byte mask + 14-byte payload) and its pong (server → client, unmasked: 2 + 14): 36 bytes a beat.
  const ping = 2 + 4 + 14;
  const pong = 2 + 14;
  const baseline = ((ping + pong) * 60_000) / HEARTBEAT_MS;
  const secs = median(r.rows.map((x) => x.secs));
  console.log(
    `4. Idle link traffic — ${r.names.join(', ')} linked and idle (static peers, mDNS off), heartbeat ${HEARTBEAT_MS} ms (default); bytesSent/bytesReceived from mesh.peers, ${f1(secs)} s apart`,
  );
  const rows = r.rows.map((x) => [
    `${x.from} → ${x.to}`,
    f0(x.sent),
    f0(x.recv),
    f0(x.perMin),
    `${f2(x.perMin / baseline)}×`,
    x.relinked ? 'RELINKED in between: not idle' : '',
  ]);
  printTable(['link, seen from', 'sent B', 'received B', 'B/min (both ways)', 'vs ping/pong alone', ''], rows);
  const per = r.rows.filter((x) => !x.relinked).map((x) => x.perMin);
  console.log(
    `   per link per minute: median ${f0(median(per))} B, max ${f0(max(per))} B (target < 1 KB/min: ${max(per) < 1024 ? 'met' : 'MISSED'}); ` +
      `baseline, the heartbeat frames alone: (${ping} B ping + ${pong} B pong) × ${60_000 / HEARTBEAT_MS} beats = ${f0(baseline)} B/min → ${f2(median(per) / baseline)}× the baseline`,
  );
  console.log('   (WebSocket frame bytes, as the daemon counts them above the TLS layer)');
  if (r.wireRows) {
    const per = r.wireRows.map((w) => w.bytesPerLinkMin);
    console.log(
      `   on the wire (each host's veth0, both directions, all of its ${r.wireRows[0].links} links; TLS records, TCP/IP headers, ACKs, ARP): ` +
        r.wireRows.map((w) => `${w.host} ${f0(w.bytesPerLinkMin)} B (${f1(w.packetsPerLinkMin)} packets)`).join(', ') +
        ` per link per minute; median ${f0(median(per))} B = ${f2(median(per) / baseline)}× the frame baseline`,
    );
  }
  console.log('');
}
