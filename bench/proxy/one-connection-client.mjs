// A closed-loop client for bench:proxy's one-connection section: one keep-alive connection, one GET at a
// time, each request's own latency (send → last byte of the response) in µs. It is the raw per-request
// figure that wrk does not print: wrk 4.1 "corrects" its histogram for coordinated omission
// (src/wrk.c: stats_correct), adding for every response slower than twice the mean interval the samples
// that requests sent on a fixed schedule would have seen while it waited. At -c1 (a mean interval near
// 100 µs) one 3 ms pause becomes ~30 samples, so wrk's p99 there measures how long the proxy's event loop
// pauses, not what one request costs. Both figures are printed; neither is the other.
// Usage: node one-connection-client.mjs <port> <host> <seconds>; prints "HIST <requests> µs:count,…" on exit.
// The responses must carry Content-Length (the bench's target answers with it).
import net from 'node:net';

const [port, host, seconds] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
const hist = new Map();
const deadline = performance.now() + seconds * 1000;
let pending = Buffer.alloc(0);
let sentAt = 0;
let requests = 0;

const socket = net.connect({ port, host: '127.0.0.1', noDelay: true }, send);
socket.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  const end = pending.indexOf('\r\n\r\n');
  if (end < 0) return;
  const length = /\r\ncontent-length: *(\d+)/i.exec(pending.subarray(0, end).toString('latin1'));
  if (!length) fail(`a response without Content-Length: ${pending.subarray(0, 80).toString('latin1')}`);
  const total = end + 4 + Number(length[1]);
  if (pending.length < total) return;
  const now = performance.now();
  const us = Math.round((now - sentAt) * 1000);
  hist.set(us, (hist.get(us) ?? 0) + 1);
  requests++;
  pending = pending.subarray(total);
  if (now < deadline) send();
  else finish();
});
socket.on('error', (err) => fail(err.message));
setTimeout(() => fail('no answer within the run and 10 s more'), seconds * 1000 + 10_000).unref();

function send() {
  sentAt = performance.now();
  socket.write(request);
}
function finish() {
  socket.destroy();
  const out = [...hist].map(([v, c]) => `${v}:${c}`).join(',');
  process.stdout.write(`HIST ${requests} ${out}\n`);
}
function fail(why) {
  process.stderr.write(`one-connection-client: ${why}\n`);
  process.exit(1);
}
