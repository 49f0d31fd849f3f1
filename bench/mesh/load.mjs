// Runs inside a host's network namespace (bench/mesh.mjs starts it): <total> GETs to <url> with
// `Host: <host>`, <concurrency> at a time over a keep-alive agent. Halfway to <markAt> completions it prints
// {premark:true,t}, after <markAt> {mark:true,t}; the bench then kills a serving peer and writes `killed <ms since epoch>` to stdin. At the
// end: {done:true, ...} with successes, failures (status or error code), and the upstreams (the
// X-DevMesh-Upstream agent) before the kill, in flight at the kill, and after it.
import http from 'node:http';

const [url, hostHeader, totalArg, concArg, markArg, timeoutArg] = process.argv.slice(2);
const total = Number(totalArg);
const concurrency = Number(concArg);
const markAt = Number(markArg);
const timeoutMs = Number(timeoutArg ?? 10_000);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let tKill = null;
let stdinBuf = '';
process.stdin.setEncoding('utf8').on('data', (d) => {
  stdinBuf += d;
  const m = /killed (\d+)/.exec(stdinBuf);
  if (m) tKill = Number(m[1]);
});
process.stdin.on('error', () => {});

const records = new Array(total);
let next = 0;
let completed = 0;
const t0 = Date.now();

function one(i) {
  return new Promise((resolve) => {
    const start = Date.now();
    const rec = { i, start, end: 0, status: 0, error: null, upstream: null, body: '' };
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      rec.end = Date.now();
      records[i] = rec;
      if (++completed === Math.floor(markAt / 2))
        process.stdout.write(`${JSON.stringify({ premark: true, t: Date.now(), completed })}\n`);
      if (completed === markAt) process.stdout.write(`${JSON.stringify({ mark: true, t: Date.now(), completed })}\n`);
      resolve();
    };
    const req = http.request(url, { agent, headers: { host: hostHeader }, timeout: timeoutMs }, (res) => {
      rec.status = res.statusCode;
      rec.upstream = res.headers['x-devmesh-upstream'] ?? null;
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        if (rec.status >= 300) rec.body = Buffer.concat(chunks).toString('utf8').slice(0, 300);
        finish();
      });
      res.on('error', (e) => {
        rec.error = `response ${e.code ?? e.message}`;
        finish();
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: `no answer in ${timeoutMs} ms` })));
    req.on('error', (e) => {
      rec.error ??= e.code ?? e.message;
      finish();
    });
    req.end();
  });
}

async function worker() {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    await one(i);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const t1 = Date.now();
for (let k = 0; k < 50 && tKill === null; k++) await new Promise((r) => setTimeout(r, 100));
agent.destroy();

const agentOf = (u) => (u ? String(u).split('/')[0] : '(none)');
const phases = { before: {}, during: {}, after: {} };
const failures = {};
const failed = [];
let ok = 0;
for (const r of records) {
  const good = !r.error && r.status >= 200 && r.status < 300;
  if (good) ok++;
  else {
    const key = r.error ? `error ${r.error}` : `HTTP ${r.status}`;
    failures[key] = (failures[key] ?? 0) + 1;
    if (failed.length < 8)
      failed.push({
        i: r.i,
        key,
        upstream: r.upstream,
        msAfterKill: tKill === null ? null : r.start - tKill,
        tookMs: r.end - r.start,
        body: r.body,
      });
  }
  const phase = tKill === null ? 'before' : r.end < tKill ? 'before' : r.start >= tKill ? 'after' : 'during';
  const a = good ? agentOf(r.upstream) : 'failed';
  phases[phase][a] = (phases[phase][a] ?? 0) + 1;
}
const took = records.map((r) => r.end - r.start).sort((a, b) => a - b);
const slow = {
  p50: took[Math.floor(took.length * 0.5)],
  p99: took[Math.floor(took.length * 0.99)],
  max: took.at(-1),
  over1s: took.filter((x) => x > 1000).length,
};
process.stdout.write(
  `${JSON.stringify({ done: true, total, ok, failures, failed, phases, slow, tKill, ms: t1 - t0, markAt })}\n`,
);
process.exit(0);
