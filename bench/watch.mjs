// File-watcher latency (printed, never asserted): from a write to the moment a face hears of it, each figure
// beside baselines measured in the same run on the same disk:
//   1. DevMesh: a real `devmesh up --port 0` (own temp DEVMESH_HOME, mDNS off, every port on 127.0.0.1) watching
//      a git project; a write in the project → the `files.changed` event on an API WebSocket subscription to
//      `events`, as the UI gets it (the native watcher's coalescing, DevMesh's debounce, git check-ignore, the
//      event bus and the socket);
//   2. @parcel/watcher alone in this process (its own coalescing only): what DevMesh builds on;
//   3. bare fs.watch (recursive) in this process: the kernel's inotify event, no coalescing at all.
// Writes are sequential (the next once the previous was seen, plus a gap), each to a new file under src/.
// Usage: npm run bench:watch [-- --quick | --writes 200 --gap-ms 30 --files 2000]
// Needs dist/cli/devmesh.js (`npm run build`); DEVMESH_BENCH_CLI measures another build of the CLI.
import { watch as fsWatch, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { makeProject } from './locks/lib.mjs';
import { staleNote } from './mesh/stale-build.mjs';
import {
  apiClient,
  bounded,
  f1,
  f2,
  printTable,
  quantiles,
  root,
  sleep,
  startDaemon,
  stop,
  stopAll,
} from './terminals/lib.mjs';

const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    writes: { type: 'string' },
    'gap-ms': { type: 'string' },
    files: { type: 'string' },
  },
});
const opts = {
  writes: Number(o.writes ?? (o.quick ? 40 : 200)),
  gapMs: Number(o['gap-ms'] ?? 30),
  files: Number(o.files ?? (o.quick ? 200 : 2000)),
};
const EVENT_WAIT_MS = 10_000;
const cli = process.env.DEVMESH_BENCH_CLI ?? join(root, 'dist/cli/devmesh.js');
const work = mkdtempSync(join(tmpdir(), 'devmesh-bench-watch-'));

function gitRepo(dir) {
  const g = (...args) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@devmesh.invalid', ...args], {
      cwd: dir,
      stdio: 'ignore',
    });
  g('init', '-q', '-b', 'main');
  g('add', '.');
  g('commit', '-q', '-m', 'bench');
}

/** A project of `files` source files in 20 folders, a git repository. */
function project(dir) {
  mkdirSync(dir, { recursive: true });
  makeProject(dir, 'watchbench', 0);
  for (let i = 0; i < opts.files; i++) {
    const sub = join(dir, 'src', `m${i % 20}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.ts`), `export const f${i} = ${i};\n`);
  }
  gitRepo(dir);
  return dir;
}

/**
 * Writes `opts.writes` new files one after another; `seen(rel)` resolves when the watcher under test reports
 * that path. Returns the latencies in ms.
 */
async function measure(dir, label, seen) {
  const ms = [];
  for (let i = 0; i < opts.writes; i++) {
    const rel = `src/w-${label}-${i}.txt`;
    const heard = seen(rel);
    const t0 = performance.now();
    writeFileSync(join(dir, rel), `${i}\n`);
    await bounded(heard, EVENT_WAIT_MS, `${label}: the event for ${rel}`);
    ms.push(performance.now() - t0);
    await sleep(opts.gapMs);
  }
  return ms;
}

/** waiters by path, resolved by whichever watcher reports the path */
function waiters() {
  const pending = new Map();
  return {
    seen: (rel) => new Promise((resolve) => pending.set(rel, resolve)),
    heard(rel) {
      const r = pending.get(rel);
      if (r) {
        pending.delete(rel);
        r(performance.now());
      }
    },
  };
}

async function devmesh(dir) {
  const d = await startDaemon(cli, join(work, 'home'));
  try {
    const api = await apiClient(d);
    await api.call('projects.open', { root: dir });
    const t0 = performance.now();
    for (;;) {
      const w = (await api.call('files.watched', {})).find((x) => x.root === dir);
      if (w?.state === 'watching') break;
      if (w?.state === 'failed') throw new Error(`the watcher failed: ${w.error}`);
      if (performance.now() - t0 > 60_000) throw new Error('the project was not watched within 60 s');
      await sleep(20);
    }
    const startMs = performance.now() - t0;
    const w = waiters();
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}/api`, ['devmesh.v1', `devmesh-token.${d.token}`]);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'event' && m.data?.type === 'files.changed') for (const p of m.data.paths) w.heard(p);
    });
    ws.send(JSON.stringify({ type: 'subscribe', id: 1, topic: 'events' }));
    await sleep(200);
    const ms = await measure(dir, 'devmesh', w.seen);
    ws.terminate();
    api.close();
    return { ms, startMs };
  } finally {
    await stop(d.child, 'SIGTERM', 10_000);
  }
}

async function parcel(dir) {
  const { subscribe } = createRequire(join(root, 'bench/x.cjs'))('@parcel/watcher');
  const w = waiters();
  const t0 = performance.now();
  const sub = await subscribe(
    dir,
    (err, events) => {
      if (err) throw err;
      for (const e of events) w.heard(e.path.slice(dir.length + 1));
    },
    { ignore: ['**/.git', '**/node_modules', '**/.devmesh'] },
  );
  const startMs = performance.now() - t0;
  try {
    return { ms: await measure(dir, 'parcel', w.seen), startMs };
  } finally {
    await sub.unsubscribe();
  }
}

async function bare(dir) {
  const w = waiters();
  const t0 = performance.now();
  const watcher = fsWatch(dir, { recursive: true }, (_type, name) => name && w.heard(String(name)));
  const startMs = performance.now() - t0;
  try {
    return { ms: await measure(dir, 'fswatch', w.seen), startMs };
  } finally {
    watcher.close();
  }
}

try {
  console.log(
    `bench:watch: ${opts.writes} sequential writes (gap ${opts.gapMs} ms) into a git project of ${opts.files} files; ` +
      `load ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs; CLI ${cli}${staleNote(cli, root)}`,
  );
  const runs = [];
  for (const [name, fn] of [
    ['DevMesh: write → files.changed on the API socket', devmesh],
    ['@parcel/watcher in-process', parcel],
    ['bare fs.watch (recursive) in-process', bare],
  ]) {
    const dir = project(join(work, name.split(/[ :]/)[0].replace(/\W/g, '') || 'p'));
    const r = await fn(dir);
    runs.push({ name, ...r, q: quantiles(r.ms) });
  }
  const base = runs.at(-1).q;
  printTable(
    ['latency (ms)', 'n', 'p50', 'p99', 'max', 'p50 ×base', 'p99 ×base', 'start (ms)'],
    runs.map((r) => [
      r.name,
      r.q.n,
      f1(r.q.p50),
      f1(r.q.p99),
      f1(r.q.max),
      f2(r.q.p50 / base.p50),
      f2(r.q.p99 / base.p99),
      f1(r.startMs),
    ]),
  );
  console.log(
    '  DevMesh adds its debounce (quiet 40 ms, at most 500 ms), one `git check-ignore` per batch and the socket to ' +
      "@parcel/watcher's own coalescing (50–500 ms in its C++ side); fs.watch reports each inotify event at once.",
  );
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
