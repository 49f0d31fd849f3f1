// Runs inside a host's network namespace (bench/mesh.mjs starts it): sequential GETs, one keep-alive
// connection per target, targets interleaved in blocks so background load hits each alike.
// argv: JSON [{key, url, host}], n, warm, blocks. Prints {done:true, stats:{key:{n,mean,p50,p90,p99,max,errors,upstreams}}}.
import http from 'node:http';

const targets = JSON.parse(process.argv[2]);
const n = Number(process.argv[3]);
const warm = Number(process.argv[4]);
const blocks = Math.max(1, Number(process.argv[5] ?? 10));
const get = (t) =>
  new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = http.request(
      t.url,
      { agent: t.agent, headers: t.host ? { host: t.host } : {}, timeout: 5000 },
      (res) => {
        res.on('data', () => {});
        res.on('end', () =>
          resolve({
            us: Number(process.hrtime.bigint() - start) / 1000,
            status: res.statusCode,
            upstream: res.headers['x-devmesh-upstream'] ?? null,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
for (const t of targets) {
  t.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.samples = [];
  t.errors = 0;
  t.upstreams = {};
  for (let i = 0; i < warm; i++) await get(t);
}
const per = Math.ceil(n / blocks);
for (let b = 0; b < blocks; b++) {
  for (const t of targets) {
    for (let i = 0; i < per && t.samples.length + t.errors < n; i++) {
      const r = await get(t);
      if (r.error || r.status !== 200) t.errors++;
      else {
        t.samples.push(r.us);
        const u = r.upstream ?? '(none)';
        t.upstreams[u] = (t.upstreams[u] ?? 0) + 1;
      }
    }
  }
}
const stats = {};
for (const t of targets) {
  const s = Float64Array.from(t.samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  stats[t.key] = {
    n: s.length,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: s[s.length - 1],
    errors: t.errors,
    upstreams: t.upstreams,
  };
  t.agent.destroy();
}
process.stdout.write(`${JSON.stringify({ done: true, stats })}\n`);
