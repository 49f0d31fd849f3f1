// Helpers for bench/proxy.mjs: child processes (each tracked and killed at exit), free ports, wrk runs
// parsed from `--latency`, the temp nginx, WebSocket round trips, and /proc readings.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();

/** Spawns a tracked child; `nofile` raises its fd limit through its own shell (we run as root here or
 * within the hard limit). Never detached: it dies with our cleanup. */
export function start(cmd, args, { env = process.env, nofile = 0, cwd } = {}) {
  // raising the hard limit needs CAP_SYS_RESOURCE; without it the child keeps the current limit
  const [file, argv] =
    nofile > 0 ? ['sh', ['-c', `ulimit -n ${nofile} 2>/dev/null || :; exec "$@"`, 'sh', cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  child.out = '';
  child.err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (child.out = (child.out + d).slice(-200_000)));
  child.stderr.setEncoding('utf8').on('data', (d) => (child.err = (child.err + d).slice(-20_000)));
  child.stdin.on('error', () => {});
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Resolves with the first stdout line matching `test` (a predicate on the line), or rejects on exit/timeout. */
export function waitLine(child, test, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let buf = child.out;
    const check = () => {
      for (const line of buf.split('\n')) if (line && test(line)) return finish(null, line);
    };
    const onData = (d) => {
      buf += d;
      check();
    };
    const onExit = (code, sig) => finish(new Error(`${what} exited (${code ?? sig}): ${child.err.trim().slice(-300)}`));
    const timer = setTimeout(
      () => finish(new Error(`${what}: nothing after ${timeoutMs} ms: ${child.err.trim().slice(-300)}`)),
      timeoutMs,
    );
    function finish(err, line) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      err ? reject(err) : resolve(line);
    }
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    if (child.exitCode !== null) onExit(child.exitCode);
    check();
  });
}
export const waitJson = async (child, key, timeoutMs, what) =>
  JSON.parse(await waitLine(child, (l) => l.startsWith('{') && l.includes(`"${key}"`), timeoutMs, what));

export async function stop(child, signal = 'SIGTERM', timeoutMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  if (await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(2000)]);
}
export async function stopAll() {
  for (const c of [...children].reverse()) await stop(c, 'SIGTERM', 15_000);
}
export function killAllNow() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
}

/** A free port outside the kernel's ephemeral range (32768-60999), so a `listen(0)` elsewhere (the daemon's
 * `--port 0`, a service) cannot be handed the port we picked between our check and our use. */
export async function freePort(taken = freePort.taken) {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (taken.has(port)) continue;
    const ok = await new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (ok) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port found in 20000-31999');
}
freePort.taken = new Set();

/** One GET to 127.0.0.1:port with the Host header; resolves { status, body } or { error }. */
export function httpGet(port, host, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers: host ? { host } : {}, agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

// ---- wrk ----
const toMs = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);
export function parseWrk(text) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const lat = {};
  const dist = text.split('Latency Distribution')[1] ?? '';
  for (const m of dist.matchAll(/^\s*(\d+)%\s+([\d.]+)(us|ms|s|m)\b/gm)) lat[m[1]] = toMs(m[2], m[3]);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sockErr = /Socket errors:\s+(.*)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  return {
    rps: rps ? Number(rps[1]) : NaN,
    p50: lat['50'] ?? NaN,
    p99: lat['99'] ?? NaN,
    requests: total ? Number(total[1]) : NaN,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sockErr ? sockErr[1].trim() : null,
  };
}
/** user and system CPU ticks (1/100 s) of these processes, their reaped children included */
export function procTicks(pids) {
  let user = 0;
  let sys = 0;
  for (const pid of pids) {
    try {
      const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
      user += Number(f[11]) + Number(f[13]);
      sys += Number(f[12]) + Number(f[14]);
    } catch {}
  }
  return { user, sys };
}
/** wrk against 127.0.0.1:port; with `pids` (the proxy's processes), also their CPU µs per request. */
export async function wrk({ port, host, connections, seconds, warmupSeconds, pids = [] }) {
  const args = ['-t1', `-c${connections}`, '--latency', '--timeout', '5s'];
  if (host) args.push('-H', `Host: ${host}`);
  const url = `http://127.0.0.1:${port}/`;
  const run = async (secs) => {
    const w = start('wrk', [...args, `-d${secs}s`, url]);
    const code = await Promise.race([
      new Promise((r) => w.once('exit', r)),
      sleep((secs + 15) * 1000).then(() => 'timeout'),
    ]);
    if (code === 'timeout') await stop(w, 'SIGKILL');
    if (code !== 0) throw new Error(`wrk ${code}: ${w.err.trim() || w.out.trim()}`);
    return parseWrk(w.out);
  };
  if (warmupSeconds > 0) await run(warmupSeconds);
  const c0 = cpuSnapshot();
  const t0 = procTicks(pids);
  const r = await run(seconds);
  const t1 = procTicks(pids);
  const perReq = (ticks) => (pids.length > 0 && r.requests > 0 ? (ticks * 10_000) / r.requests : NaN); // 1 tick = 10 ms
  return {
    ...r,
    others: othersBusy(c0, cpuSnapshot()),
    userUs: perReq(t1.user - t0.user),
    sysUs: perReq(t1.sys - t0.sys),
  };
}

// ---- nginx (own prefix, conf, pid file and logs under a temp dir; never the system's config) ----
/** The lines every bench nginx's http block starts with: no access log, temp files in `dir`, long keep-alive. */
export function nginxHttpCommon(dir) {
  return `  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;`;
}

export async function startNginx(dir, targetPort, port) {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
worker_rlimit_nofile ${fdLimit('self').soft};
error_log ${dir}/logs/error.log warn;
events { worker_connections 30000; }
http {
${nginxHttpCommon(dir)}
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream target { server 127.0.0.1:${targetPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://target;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
    }
  }
}
`,
  );
  const child = start(
    'nginx',
    ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', conf, '-g', `daemon off; pid ${dir}/nginx.pid;`],
    { nofile: 65536 },
  );
  for (let i = 0; i < 50; i++) {
    if ((await httpGet(port, 'target.localhost', 500)).status === 200) return child;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  const log = (() => {
    try {
      return readFileSync(join(dir, 'logs/error.log'), 'utf8').trim().slice(-300);
    } catch {
      return '';
    }
  })();
  await stop(child);
  throw new Error(`nginx did not answer on ${port}: ${child.err.trim().slice(-300)} ${log}`);
}

// ---- WebSocket echo round trips: one connection per path, timed one message at a time ----
export async function openEcho({ port, host }) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, {
    headers: host ? { host } : {},
    perMessageDeflate: false,
    handshakeTimeout: 5000,
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_, res) => reject(new Error(`HTTP ${res.statusCode} instead of an upgrade`)));
  });
  ws.on('error', () => {});
  const payload = Buffer.alloc(32, 'p');
  const samples = [];
  /** one round trip; returns µs */
  const once = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo in 5 s')), 5000);
      const t0 = process.hrtime.bigint();
      ws.once('message', () => {
        clearTimeout(timer);
        resolve(Number(process.hrtime.bigint() - t0) / 1000);
      });
      ws.send(payload);
    });
  return {
    async run(n, record) {
      for (let i = 0; i < n; i++) {
        const us = await once();
        if (record) samples.push(us);
      }
    },
    stats() {
      const us = Float64Array.from(samples).sort();
      const q = (p) => us[Math.min(us.length - 1, Math.floor(p * us.length))];
      return { n: us.length, mean: us.reduce((a, b) => a + b, 0) / us.length, p50: q(0.5), p99: q(0.99) };
    },
    close: () => ws.terminate(),
  };
}

// ---- /proc ----
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
/** RLIMIT_NOFILE of a process ('self' or a pid), from /proc/<pid>/limits */
export function fdLimit(pid) {
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  const n = (x) => (x === 'unlimited' ? Infinity : Number(x));
  return m ? { soft: n(m[1]), hard: n(m[2]) } : { soft: NaN, hard: NaN };
}
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** pids of processes holding a socket listening on 127.0.0.1/0.0.0.0:port (TCP v4 and v6). */
export function listeningPids(port) {
  const inodes = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length > 9 && c[3] === '0A' && parseInt(c[1].split(':')[1], 16) === port) inodes.add(c[9]);
    }
  }
  const pids = [];
  if (!inodes.size) return pids;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) {
          pids.push(Number(pid));
          break;
        }
      } catch {}
    }
  }
  return pids;
}
/** TCP ports a process listens on (for "the daemon listens on X but not on Y" messages). */
export function listeningPorts(pid) {
  const socks = new Set();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) socks.add(m[1]);
      } catch {}
    }
  } catch {}
  const ports = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
        const c = line.trim().split(/\s+/);
        if (c.length > 9 && c[3] === '0A' && socks.has(c[9])) ports.push(parseInt(c[1].split(':')[1], 16));
      }
    } catch {}
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}
/** CPU ticks of this process tree (self + live descendants, each with its reaped children's), and the
 * machine's busy/total ticks: the difference of two snapshots tells how busy *other* processes were. */
export function cpuSnapshot() {
  const stats = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(pid), {
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      });
    } catch {}
  }
  const tree = new Set([process.pid]);
  for (let grew = true, n = 0; grew && n < 50; n++) {
    grew = false;
    for (const [pid, s] of stats) if (!tree.has(pid) && tree.has(s.ppid)) (tree.add(pid), (grew = true));
  }
  let ours = 0;
  for (const pid of tree) ours += stats.get(pid)?.ticks ?? 0;
  const m = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = m.slice(0, 8).reduce((a, b) => a + b, 0);
  return { ours, busy: total - m[3] - m[4], total };
}
/** % of the whole machine's CPU used by processes outside this bench between two snapshots. */
export const othersBusy = (a, b) =>
  b.total > a.total ? (Math.max(0, b.busy - a.busy - (b.ours - a.ours)) / (b.total - a.total)) * 100 : NaN;

/** Whole-machine CPU busy share over `ms` (0..100 per core summed / cores), from /proc/stat. */
export async function machineBusy(ms) {
  const read = () => readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const a = read();
  await sleep(ms);
  const b = read();
  const d = b.map((x, i) => x - a[i]);
  const total = d.reduce((s, x) => s + x, 0);
  const idle = d[3] + (d[4] ?? 0);
  return total > 0 ? ((total - idle) / total) * 100 : NaN;
}

/** Prints rows under a header, columns aligned; a row of two cells is a label and a note. */
export function printTable(head, rows) {
  const full = rows.filter((r) => r.length > 2);
  const w = head.map((h, i) => Math.max(h.length, ...full.map((r) => String(r[i] ?? '').length)));
  const line = (r) =>
    '  ' + r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c ?? '').padStart(w[i] ?? 0))).join('  ');
  console.log(line(head));
  for (const r of rows)
    console.log(
      r.length > 2
        ? line(r.slice(0, head.length)) + (r[head.length] ? `  ${r[head.length]}` : '')
        : `  ${String(r[0]).padEnd(w[0])}  ${r[1]}`,
    );
}
