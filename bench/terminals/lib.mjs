// Helpers for bench/terminals.mjs and its sections (bench/terminals/*.mjs): the daemon (`devmesh up --port 0`,
// own DEVMESH_HOME, mDNS off, every port picked by the kernel on 127.0.0.1), a small API client, a terminal
// stream client, the run's context (the daemon in use, its open views, every PTY pid created), statistics
// and the baseline child (bench/terminals/pty-direct.mjs). Children are tracked by bench/proxy/lib.mjs's
// start() and killed at exit; every wait here is bounded.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as P from '../proxy/lib.mjs';

export const { sleep, start, stop, stopAll, killAllNow, rssMb, waitLine, machineBusy, procTicks } = P;
export const root = new URL('../..', import.meta.url).pathname;
export function ptyVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules/node-pty/package.json'), 'utf8')).version;
  } catch {
    return 'missing';
  }
}

// ---- the daemon ----
export async function startDaemon(cli, home) {
  mkdirSync(home, { recursive: true });
  const env = {
    ...process.env,
    DEVMESH_HOME: home,
    DEVMESH_LOG_LEVEL: 'warn',
    DEVMESH_PROXY_HTTP_PORT: '0',
    DEVMESH_PROXY_HTTPS_PORT: 'off',
    DEVMESH_MESH_MDNS: 'off',
    DEVMESH_MESH_HOST: '127.0.0.1',
    DEVMESH_MESH_PORT: '0',
    DEVMESH_MESH_INGRESS_PORT: '0',
  };
  const t0 = performance.now();
  const child = start(process.execPath, [cli, 'up', '--port', '0'], { env, cwd: home });
  await waitLine(child, (l) => l.includes('DevMesh is up'), 30_000, 'devmesh up');
  const upMs = performance.now() - t0;
  const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
  const token = readFileSync(join(home, 'token'), 'utf8').trim();
  // `devmesh up` runs the daemon in its own process (the node we spawned): its pid is the one to watch
  return { child, pid: record.pid ?? child.pid, port: record.port, token, upMs };
}

const protocols = (token) => ['devmesh.v1', `devmesh-token.${token}`];

/** One API WebSocket, calls multiplexed by id ({type:'call',id,method,input} → {type:'result',id,ok,value|error}). */
export async function apiClient(d) {
  const ws = new WebSocket(`ws://127.0.0.1:${d.port}/api`, protocols(d.token), { handshakeTimeout: 5000 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type !== 'result' || !pending.has(m.id)) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    m.ok ? p.resolve(m.value) : p.reject(new Error(`${p.method}: ${JSON.stringify(m.error)}`));
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new Error(`${p.method}: API socket closed`));
    pending.clear();
  });
  return {
    call(method, input = {}, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          method,
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        ws.send(JSON.stringify({ type: 'call', id, method, input }));
      });
    },
    close: () => ws.terminate(),
  };
}

/**
 * A view of one terminal's stream. `ack`: 'prompt' acknowledges every frame as it arrives; a number is a
 * simulated renderer speed in chars/ms (each frame is acknowledged once the previous ones and it would have
 * been "rendered" at that speed); 'none' never acknowledges. `onText(text)` sees every output frame decoded
 * (skip it for raw throughput: then frames are only counted). Resolves once `live` arrived.
 */
export async function attach(d, id, { ack = 'prompt', onText = null, onExit = null } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${d.port}/terminals/${id}/stream`, protocols(d.token), {
    handshakeTimeout: 5000,
    perMessageDeflate: false,
  });
  const v = {
    ws,
    bytes: 0,
    frames: 0,
    replayBytes: 0,
    live: false,
    exit: null,
    errors: [],
    ackMode: ack,
    acking: ack !== 'none',
  };
  const decoder = new TextDecoder('utf-8');
  let renderFreeAt = 0; // simulated renderer: when it is done with what it has been given
  const sendAck = (chars) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'ack', chars }));
  };
  const exited = new Promise((resolve) => (v.resolveExit = resolve));
  const live = new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('close', () => {
      v.closed = true;
      v.resolveExit(v.exit);
      reject(new Error('stream closed before live'));
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const m = JSON.parse(data.toString());
        if (m.t === 'live') {
          v.live = true;
          resolve();
        } else if (m.t === 'exit') {
          v.exit = m.info;
          v.exitAt = performance.now();
          onExit?.(m.info);
          v.resolveExit(m.info);
        } else if (m.t === 'error') v.errors.push(`${m.code}: ${m.message}`);
        return;
      }
      // ASCII floods: chars === bytes; decode only when someone reads the text
      let chars = data.length;
      if (onText) {
        const text = decoder.decode(data, { stream: true });
        chars = text.length;
        onText(text);
      }
      v.bytes += data.length;
      v.frames++;
      if (!v.live) v.replayBytes += data.length;
      if (!v.acking) return;
      if (v.ackMode === 'prompt') sendAck(chars);
      else {
        const now = performance.now();
        renderFreeAt = Math.max(renderFreeAt, now) + chars / v.ackMode;
        setTimeout(() => sendAck(chars), renderFreeAt - now);
      }
    });
  });
  await Promise.race([live, sleep(10_000).then(() => Promise.reject(new Error(`terminal ${id}: no 'live' in 10 s`)))]);
  v.exited = exited;
  v.input = (data) => ws.send(JSON.stringify({ t: 'input', data }));
  v.close = () => ws.terminate();
  return v;
}

// ---- the run's context: what the sections share, and what the driver cleans up and checks at the end ----
/** `work` is the run's temp folder (each daemon's DEVMESH_HOME is a folder in it), removed by cleanup(). */
export function createContext(cli, work) {
  const ctx = {
    daemon: null,
    api: null,
    views: new Set(), // the open views, closed before the daemon stops
    ptyPids: new Set(), // every terminal's process, checked at the end
    /** stops the daemon in use (if any) and starts a fresh one in <work>/<name> */
    async newDaemon(name) {
      if (ctx.daemon) {
        closeViews();
        ctx.api?.close();
        await stop(ctx.daemon.child, 'SIGTERM', 10_000);
      }
      ctx.daemon = await startDaemon(cli, join(work, name));
      ctx.api = await apiClient(ctx.daemon);
      await sleep(1000); // let the start-up settle before anything reads its RSS
      return ctx.daemon;
    },
    async create(input) {
      const info = await ctx.api.call('terminals.create', { cols: 80, rows: 24, record: false, ...input });
      if (info.pid) ctx.ptyPids.add(info.pid);
      return info;
    },
    async attach(id, options) {
      const v = await attach(ctx.daemon, id, options);
      ctx.views.add(v);
      return v;
    },
    detach(v) {
      v.close();
      ctx.views.delete(v);
    },
    rss: () => rssMb(ctx.daemon.pid),
    async cleanup() {
      closeViews();
      ctx.api?.close();
      if (ctx.daemon) await stop(ctx.daemon.child, 'SIGTERM', 10_000); // the daemon ends its terminals (SIGHUP, then SIGKILL)
      await stopAll();
      rmSync(work, { recursive: true, force: true });
    },
    /** the hard way out (signal or watchdog overdue): SIGKILL every child, remove the temp dirs */
    abort() {
      killAllNow();
      rmSync(work, { recursive: true, force: true });
    },
    /** the PTY pids still alive */
    leftRunning: () =>
      [...ctx.ptyPids].filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      }),
  };
  const closeViews = () => {
    for (const v of ctx.views) v.close();
    ctx.views.clear();
  };
  return ctx;
}
/** `p`, or a rejection naming `what` if it has not settled in `ms` */
export const bounded = (p, ms, what) =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: nothing in ${ms} ms`)))]);
export const met = (ok) => (ok ? 'met' : 'MISSED');

// ---- the baseline child ----
export async function direct(args, timeoutMs = 130_000) {
  const c = start(process.execPath, [join(root, 'bench/terminals/pty-direct.mjs'), ...args]);
  const line = await waitLine(c, (l) => l.startsWith('{'), timeoutMs, `pty-direct ${args[0]}`);
  await stop(c, 'SIGTERM', 2000);
  const r = JSON.parse(line);
  if (r.error) throw new Error(`pty-direct ${args[0]}: ${r.error}`);
  return r;
}

// ---- statistics ----
export function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return {
    n: s.length,
    p50: q(0.5),
    p99: q(0.99),
    max: s.at(-1) ?? NaN,
    min: s[0] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}
/** least-squares slope of (t seconds, y) points, y per second */
export function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

export const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
export const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
export const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
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
