// Helpers for bench/mesh.mjs and its sections (bench/mesh/*.mjs): MeshLab (tests/helpers/mesh-lab.ts,
// TypeScript) bundled at run time with esbuild and loaded read-only; the labs and watchers alive, disposed
// together; the peer watchers (a Node script per observing namespace polling its daemon's API); scripts run
// inside namespaces with stdin/stdout kept open; small statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const here = join(root, 'bench/mesh');
export const WS_MODULE = join(root, 'node_modules/ws');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const HEARTBEAT_MS = 5000; // the product's default (DEVMESH_MESH_HEARTBEAT unset)
export const NEWCOMERS = ['carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj'];

/** Bundles tests/helpers/mesh-lab.ts (and netns-lab.ts) to CommonJS in a temp folder and requires it.
 * mesh-lab.ts finds the repo (bin/devmesh.js, dist/, node_modules/ws) from `__dirname`: defined as the
 * real tests/helpers folder, so the bundle behaves as the source does under vitest. */
export async function loadMeshLab() {
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-bench-mesh-'));
  const outfile = join(dir, 'mesh-lab.cjs');
  try {
    await esbuild.build({
      entryPoints: [join(root, 'tests/helpers/mesh-lab.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      packages: 'external',
      outfile,
      logLevel: 'silent',
      define: { __dirname: JSON.stringify(join(root, 'tests/helpers')) },
    });
    return createRequire(import.meta.url)(outfile);
  } finally {
    await esbuild.stop?.(); // its service process would otherwise live as long as we do
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the labs and watchers alive: every lab is disposed by `disposeAll` (end of run, signal, watchdog) ----
const labs = new Set();
const watchers = new Set();
/** MeshLab.dispose returns at once when a dispose is already under way: keep each one's promise to wait on. */
const disposals = new Map();
let disposing = null;

export async function createLab(MeshLab, options) {
  const lab = await MeshLab.create({ heartbeatMs: HEARTBEAT_MS, ...options });
  labs.add(lab);
  return lab;
}
/** the labs created and not yet disposed */
export const liveLabs = () => [...labs];
function disposeLab(lab) {
  if (!disposals.has(lab)) disposals.set(lab, lab.dispose());
  return disposals.get(lab);
}
export async function dispose(lab) {
  if (!lab) return;
  await disposeLab(lab);
  labs.delete(lab);
}
/** Disposes every lab still alive (one shared run: the signal handler and `finally` both wait for it). */
export function disposeAll() {
  disposing ??= (async () => {
    for (const w of watchers) w.stop();
    await Promise.race([Promise.allSettled([...labs, ...disposals.keys()].map(disposeLab)), sleep(30_000)]);
    labs.clear();
  })();
  return disposing;
}
export async function watch(lab, host) {
  const w = await startWatcher(lab, host, 50);
  watchers.add(w);
  return w;
}
export function unwatch(...ws) {
  for (const w of ws) {
    w.stop();
    watchers.delete(w);
  }
}

/** Starts `script` (a file under bench/mesh) inside `host`'s namespace with its environment, stdio piped;
 * tracked by the lab (SIGKILLed at dispose). Returns the child with `.out` (stdout so far), `.err`,
 * `.lines(fn)` to follow complete stdout lines. */
export function spawnIn(lab, host, script, args = [], env = {}) {
  const child = lab.netns.spawn(host.index, process.execPath, [join(here, script), ...args.map(String)], {
    env: host.processEnv({ BENCH_WS: WS_MODULE, ...env }),
    cwd: host.dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.out = '';
  child.err = '';
  const followers = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    child.out = (child.out + d).slice(-2_000_000);
    pending += d;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) for (const f of followers) f(line);
  });
  child.stderr.setEncoding('utf8').on('data', (d) => (child.err = (child.err + d).slice(-20_000)));
  child.stdin.on('error', () => {});
  child.lines = (fn) => followers.push(fn);
  child.done = new Promise((r) => child.once('exit', (code, sig) => r(code ?? sig)));
  return child;
}

/** Resolves with the first stdout line (parsed JSON) for which `test` holds, or rejects on exit/timeout. */
export function waitJsonLine(child, test, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => finish(new Error(`${what}: nothing after ${timeoutMs} ms (stderr: ${child.err.trim().slice(-300)})`)),
      timeoutMs,
    );
    function finish(err, value) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      err ? reject(err) : resolve(value);
    }
    const check = (line) => {
      let v;
      try {
        v = JSON.parse(line);
      } catch {
        return;
      }
      if (test(v)) finish(null, v);
    };
    for (const line of child.out.split('\n')) if (line.trim()) check(line);
    child.lines(check);
    child.done.then((code) => finish(new Error(`${what} exited (${code}): ${child.err.trim().slice(-300)}`)));
  });
}

/**
 * A peer watcher: bench/mesh/peer-watch.mjs inside an observer's namespace polls `mesh.peers` of its
 * daemon every `intervalMs` and prints a line whenever a peer's state/since changes. `history` holds every
 * row seen: { t (poll time), name, state, since, lastHeartbeat, via }.
 */
export async function startWatcher(lab, host, intervalMs = 50) {
  const child = spawnIn(lab, host, 'peer-watch.mjs', [intervalMs]);
  const history = [];
  const waiters = new Set();
  child.lines((line) => {
    let m;
    try {
      m = JSON.parse(line);
    } catch {
      return;
    }
    if (!m.peers) return;
    for (const p of m.peers) history.push({ t: m.t, ...p });
    for (const w of [...waiters]) w();
  });
  await waitJsonLine(child, (m) => m.ready === true, 15_000, `peer watcher on ${host.name}`);
  return {
    host,
    history,
    child,
    /** the first row (at or after `afterTs` by its `since`) for peer `name` matching `pred`; bounded */
    waitFor(name, pred, afterTs, timeoutMs) {
      const find = () => history.find((r) => r.name === name && r.since >= afterTs && pred(r));
      return new Promise((resolve, reject) => {
        const hit = find();
        if (hit) return resolve(hit);
        const w = () => {
          const h = find();
          if (h) done(null, h);
        };
        const timer = setTimeout(
          () =>
            done(
              new Error(
                `${host.name}: no ${name} row matching in ${timeoutMs} ms; last: ${JSON.stringify(history.filter((r) => r.name === name).at(-1) ?? null)}`,
              ),
            ),
          timeoutMs,
        );
        const exitWatch = child.done.then((c) =>
          done(new Error(`peer watcher on ${host.name} exited (${c}): ${child.err.slice(-300)}`)),
        );
        function done(err, v) {
          clearTimeout(timer);
          waiters.delete(w);
          void exitWatch;
          err ? reject(err) : resolve(v);
        }
        waiters.add(w);
      });
    },
    /** the latest state of peer `name` seen */
    current(name) {
      return history.filter((r) => r.name === name).at(-1) ?? null;
    },
    stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** pids in a namespace (the daemon, its reaper, its services) */
export function netnsPids(ns) {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 })
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((p) => p > 1 && p !== process.pid);
  } catch {
    return [];
  }
}

// ---- statistics ----
export function median(xs) {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export const max = (xs) => (xs.filter(Number.isFinite).length ? Math.max(...xs.filter(Number.isFinite)) : NaN);
export const min = (xs) => (xs.filter(Number.isFinite).length ? Math.min(...xs.filter(Number.isFinite)) : NaN);

export const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
export const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
export const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
export const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');
export const signed = (x, fmt = f2) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${fmt(x)}` : '—');

export function printTable(head, rows, indent = '  ') {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) =>
    indent + r.map((c, i) => (i === 0 ? String(c ?? '').padEnd(w[i]) : String(c ?? '').padStart(w[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
