// Holds N idle WebSocket connections (a separate process, so its memory is not the proxy's).
// Usage: node ws-idle-client.mjs <url> <hostHeader> <count> [batch]
// Prints JSON lines: {"progress":n,"failed":f} per batch, then {"done":true,"opened":n,"failed":f,"ms":t}.
// Then waits for commands on stdin: "check" echoes a message on up to 100 spread connections and prints
// {"checked":n,"ok":k}; "close" (or stdin end, or SIGTERM) closes everything and exits.
// Needs `ulimit -n` above the count: the bench starts it through `sh -c 'ulimit -n 65536; exec ...'`.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, host, countArg, batchArg] = process.argv.slice(2);
const count = Number(countArg);
const batch = Number(batchArg ?? 250);
const conns = [];
let failed = 0;
let firstError = null;
const t0 = performance.now();

function open() {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      headers: host ? { host } : {},
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    ws.once('open', () => {
      conns.push(ws);
      resolve();
    });
    ws.once('error', (err) => {
      failed++;
      firstError ??= err.message;
      resolve();
    });
    ws.on('error', () => {});
  });
}

for (let i = 0; i < count && failed < 100; i += batch) {
  await Promise.all(Array.from({ length: Math.min(batch, count - i) }, open));
  console.log(JSON.stringify({ progress: conns.length, failed }));
}
console.log(
  JSON.stringify({ done: true, opened: conns.length, failed, firstError, ms: Math.round(performance.now() - t0) }),
);

function check() {
  const open = conns.filter((c) => c.readyState === WebSocket.OPEN);
  const step = Math.max(1, Math.floor(open.length / 100));
  const picks = open.filter((_, i) => i % step === 0).slice(0, 100);
  let ok = 0;
  return Promise.all(
    picks.map(
      (ws) =>
        new Promise((resolve) => {
          const timer = setTimeout(resolve, 5000);
          ws.once('message', () => {
            ok++;
            clearTimeout(timer);
            resolve();
          });
          ws.send('ping');
        }),
    ),
  ).then(() => console.log(JSON.stringify({ checked: picks.length, ok, open: open.length })));
}
function quit() {
  for (const c of conns) c.terminate();
  process.exit(0);
}
createInterface({ input: process.stdin })
  .on('line', (line) => (line.trim() === 'check' ? check() : line.trim() === 'close' ? quit() : null))
  .on('close', quit);
process.on('SIGTERM', quit);
