// HTTP/2 rows of bench:proxy: h2load (Debian nghttp2-client) over TLS, ALPN h2, against
//   - a direct node:http2 server answering the same body (h2-target-server.mjs): the baseline;
//   - DevMesh's HTTPS listener (HTTP/2 in, HTTP/1.1 keep-alive to the target);
//   - nginx with `listen ... ssl http2` (nginx 1.22's spelling of `http2 on`), same upstream keepalive;
// each at -c10 -m10 (100 streams in flight) and -c1 -m1 (one stream at a time: latency), in this run.
// Percentiles come from h2load's --log-file (one line per request, µs). Certificates: a throwaway ECDSA
// P-256 one for nginx and the direct server (DevMesh mints the same kind from its own CA).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, listeningPids, nginxHttpCommon, procTicks, sleep, start, stop, waitJson } from './lib.mjs';

const here = new URL('.', import.meta.url).pathname;

/** One h2load run in duration mode; its exit code (or 'timeout') and the process. */
async function h2run(args, seconds) {
  const h = start('h2load', args);
  const code = await Promise.race([
    new Promise((r) => h.once('exit', r)),
    sleep((seconds + 30) * 1000).then(() => 'timeout'),
  ]);
  if (code === 'timeout') await stop(h, 'SIGKILL');
  return { h, code };
}

/**
 * h2load in duration mode; req/s, latency percentiles (ms), status counts and the proxy's CPU per request.
 * The 1 s warm-up is a run of its own: CPU read around one run with `--warm-up-time` would charge the
 * warm-up's requests to the measured ones (1.5× too much CPU per request with --quick).
 */
async function h2load(dir, { port, authority, clients, streams, seconds, pids = [] }) {
  const log = join(dir, `h2load-${port}-${clients}x${streams}.log`);
  const common = ['-c', String(clients), '-m', String(streams)];
  if (authority) common.push('-H', `:authority: ${authority}`);
  const url = `https://127.0.0.1:${port}/`;
  await h2run([...common, '-D', '1', url], 1);
  const t0 = procTicks(pids);
  const { h, code } = await h2run([...common, '-D', String(seconds), '--log-file', log, url], seconds);
  const t1 = procTicks(pids);
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(h.out)?.[1]);
  const done =
    /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      h.out,
    );
  if (code !== 0 || !done) throw new Error(`h2load ${code}: ${(h.err || h.out).trim().slice(-300)}`);
  const us = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => Number(l.split('\t')[2]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const q = (p) => us[Math.min(us.length - 1, Math.floor(p * us.length))] / 1000;
  const n = Number(done[4]);
  const cpu = pids.length > 0 && n > 0 ? ((t1.user - t0.user + t1.sys - t0.sys) * 10_000) / n : NaN;
  return { rps, p50: q(0.5), p99: q(0.99), failed: Number(done[5]) + Number(done[6]) + Number(done[7]), cpuUs: cpu };
}

async function nginxH2(dir, targetPort, port, cert, key) {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx-h2.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http {
${nginxHttpCommon(dir)}
  http2_max_requests 1000000;
  upstream target { server 127.0.0.1:${targetPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / {
      proxy_pass http://target;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const child = start('nginx', [
    '-p',
    dir,
    '-e',
    `${dir}/logs/error.log`,
    '-c',
    conf,
    '-g',
    `daemon off; pid ${dir}/nginx-h2.pid;`,
  ]);
  await sleep(500);
  if (child.exitCode !== null) throw new Error(`nginx (h2) exited: ${child.err.trim().slice(-300)}`);
  return child;
}

/**
 * The HTTP/2 table: { rows, notes }. `devmesh`: { port, pids } of DevMesh's HTTPS listener, or { why }.
 * `host` is the :authority DevMesh routes by; nginx and the direct server ignore it.
 */
export async function h2Bench({ dir, targetPort, devmesh, host, seconds }) {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
  ];
  const ssl = spawnSync('openssl', [...args, '-subj', '/CN=localhost', '-days', '2'], { encoding: 'utf8' });
  if (ssl.status !== 0) throw new Error(`openssl could not make a certificate: ${ssl.stderr.trim().slice(-200)}`);
  const direct = start(process.execPath, [join(here, 'h2-target-server.mjs')], {
    env: { ...process.env, CERT: cert, KEY: key, PORT: '0' },
  });
  const directPort = (await waitJson(direct, 'port', 10_000, 'HTTP/2 target')).port;
  const nginxPort = await freePort();
  let nginxWhy = null;
  let nginx = null;
  try {
    nginx = await nginxH2(dir, targetPort, nginxPort, cert, key);
  } catch (err) {
    nginxWhy = err.message.slice(0, 200);
  }
  const paths = [
    { key: 'direct', label: 'direct node:http2 server', port: directPort, pids: [direct.pid] },
    {
      key: 'devmesh',
      label: 'DevMesh HTTPS (h2 → HTTP/1.1)',
      port: devmesh.port,
      authority: host,
      why: devmesh.why,
      pids: devmesh.pids ?? [],
    },
    { key: 'nginx', label: 'nginx ssl http2 (→ HTTP/1.1)', port: nginxPort, why: nginxWhy, pids: [] },
  ];
  const rows = [];
  const results = {};
  for (const [clients, streams] of [
    [10, 10],
    [1, 1],
  ]) {
    for (const p of paths) {
      if (p.why) {
        rows.push([`${p.label}, -c${clients} -m${streams}`, `not available: ${p.why}`]);
        continue;
      }
      try {
        const pids = p.key === 'nginx' ? listeningPids(nginxPort) : p.pids;
        const r = await h2load(dir, { port: p.port, authority: p.authority, clients, streams, seconds, pids });
        results[`${p.key}-${clients}`] = r;
        const base = results[`direct-${clients}`];
        const proxied = p.key !== 'direct';
        rows.push([
          `${p.label}, -c${clients} -m${streams}`,
          Math.round(r.rps).toLocaleString('en-US'),
          r.p50.toFixed(2),
          r.p99.toFixed(2),
          base ? `${(r.rps / base.rps).toFixed(2)}×` : '',
          proxied ? `${(r.p99 - base.p99).toFixed(2)} ms` : '',
          Number.isFinite(r.cpuUs) && proxied ? r.cpuUs.toFixed(1) : '',
          r.failed ? `${r.failed} failed` : '',
        ]);
      } catch (err) {
        rows.push([`${p.label}, -c${clients} -m${streams}`, `failed: ${err.message.slice(0, 200)}`]);
      }
    }
  }
  await stop(direct);
  await stop(nginx);
  return {
    head: ['path', 'req/s', 'p50 ms', 'p99 ms', 'req/s vs direct', 'added p99', 'proxy CPU µs/req', ''],
    rows,
    results,
  };
}
