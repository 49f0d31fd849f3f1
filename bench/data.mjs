// Databases through DevMesh (printed, never asserted), each figure beside a baseline measured in the same run:
//   1. pgbench, read-only (-S), through DevMesh's stable TCP address against the engine's own port (direct);
//      rounds alternate (direct, DevMesh, direct, …) so a busy neighbour skews both sides alike;
//   2. redis-benchmark GET and SET the same way;
//   3. a snapshot of a ~100 MB database (`databases.snapshot`) beside `pg_dump -Fc` alone, and its restore
//      (`databases.restore`) beside `pg_restore` into a new database alone.
// A real `devmesh up` (own temp DEVMESH_HOME, mDNS off, every port on 127.0.0.1) runs a project with a
// postgres and a redis database service, from the engines installed on this machine.
// Usage: npm run bench:data [-- --quick | --seconds 10 --rounds 3 --scale 7 --clients 8]
// Needs `npm run build` (dist/cli/devmesh.js), PostgreSQL (pgbench, pg_dump, pg_restore, psql) and redis-server
// with redis-benchmark (Debian: postgresql, redis-server, redis-tools).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { staleNote } from './mesh/stale-build.mjs';
import { apiClient, f1, f2, printTable, root, start, startDaemon, stop, stopAll, waitLine } from './terminals/lib.mjs';

const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    scale: { type: 'string' },
    clients: { type: 'string' },
  },
});
const opts = {
  seconds: Number(o.seconds ?? (o.quick ? 3 : 10)),
  rounds: Number(o.rounds ?? (o.quick ? 2 : 3)),
  // pgbench scale 7 is about 105 MB on disk (accounts table and its index)
  scale: Number(o.scale ?? (o.quick ? 1 : 7)),
  clients: Number(o.clients ?? 8),
};
const cli = process.env.DEVMESH_BENCH_CLI ?? join(root, 'dist/cli/devmesh.js');
const missing = ['pgbench', 'pg_dump', 'pg_restore', 'psql', 'redis-server', 'redis-benchmark'].filter(
  (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0,
);
if (missing.length > 0) {
  console.error(`bench:data needs ${missing.join(', ')} (Debian: apt install postgresql redis-server redis-tools)`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'devmesh-bench-data-'));
const run = (cmd, args, what) => {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  if (r.status !== 0) throw new Error(`${what}: ${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
};
const hostPort = (address) => {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
};

function pgbench(port, name, clients = opts.clients) {
  const out = run(
    'pgbench',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'devmesh',
      '-S',
      '-n',
      '-c',
      String(clients),
      '-j',
      String(Math.min(2, clients)),
    ].concat(['-T', String(opts.seconds), name]),
    'pgbench',
  );
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
  if (!m) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(m[1]);
}

function redisBench(port, test) {
  const n = String(o.quick ? 50_000 : 200_000);
  const out = run(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-t', test, '-n', n, '-c', '50', '-q'],
    'redis',
  );
  const m = new RegExp(`${test.toUpperCase()}: ([\\d.]+) requests per second`).exec(out.replace(/\r/g, '\n'));
  if (!m) throw new Error(`redis-benchmark printed no figure:\n${out}`);
  return Number(m[1]);
}

/** alternating rounds of direct, a bare Node pipe and DevMesh; the median of each */
function alternate(direct, pipe, devmesh) {
  const runs = { direct: [], pipe: [], devmesh: [] };
  for (let i = 0; i < opts.rounds; i++) {
    runs.direct.push(direct());
    runs.pipe.push(pipe());
    runs.devmesh.push(devmesh());
  }
  const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
  return { direct: med(runs.direct), pipe: med(runs.pipe), devmesh: med(runs.devmesh) };
}

const row = (label, r) => [
  label,
  f1(r.direct),
  f1(r.pipe),
  f1(r.devmesh),
  f2(r.pipe / r.direct),
  f2(r.devmesh / r.direct),
];

/** a bare Node pipe to `target` (bench/data/node-pipe.mjs); its port */
async function nodePipe(target) {
  const child = start(process.execPath, [join(root, 'bench/data/node-pipe.mjs'), String(target)]);
  const line = await waitLine(child, (l) => l.startsWith('{'), 10_000, 'node-pipe');
  return JSON.parse(line).port;
}

const timed = async (fn) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

async function main() {
  const stale = staleNote(cli, root);
  if (stale) console.log(`CLI ${cli}${stale}`);
  const dir = join(work, 'project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'devmesh.yaml'),
    [
      'project: databench',
      'services:',
      '  db:',
      '    database: { engine: postgres, name: bench }',
      '  cache:',
      '    database: { engine: redis }',
      '',
    ].join('\n'),
  );
  const d = await startDaemon(cli, join(work, 'home'));
  const api = await apiClient(d);
  try {
    await api.call('projects.open', { root: dir });
    await api.call('services.startAll', { project: 'databench', wait: true });
    const dbs = await api.call('databases.list', { project: 'databench' });
    const pg = dbs.find((x) => x.service === 'db');
    const redis = dbs.find((x) => x.service === 'cache');
    if (!pg?.port || !pg.address || !redis?.port || !redis.address)
      throw new Error(`the databases did not come up: ${JSON.stringify(dbs)}`);
    const pgStable = hostPort(pg.address).port;
    const redisStable = hostPort(redis.address).port;
    console.log(
      `postgres ${pg.engineVersion} on ${pg.port} (DevMesh ${pg.address}), redis ${redis.engineVersion} on ${redis.port} ` +
        `(DevMesh ${redis.address}); ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)}`,
    );
    run(
      'pgbench',
      ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'devmesh', '-i', '-q', '-s', String(opts.scale), 'bench'],
      'pgbench -i',
    );

    const [pgPipe, redisPipe] = [await nodePipe(pg.port), await nodePipe(redis.port)];
    const rows = [];
    for (const c of [1, opts.clients]) {
      const r = alternate(
        () => pgbench(pg.port, 'bench', c),
        () => pgbench(pgPipe, 'bench', c),
        () => pgbench(pgStable, 'bench', c),
      );
      rows.push(row(`pgbench -S -c${c} (tps)`, r));
    }
    for (const test of ['get', 'set']) {
      const r = alternate(
        () => redisBench(redis.port, test),
        () => redisBench(redisPipe, test),
        () => redisBench(redisStable, test),
      );
      rows.push(row(`redis-benchmark ${test.toUpperCase()} -c50 (req/s)`, r));
    }
    console.log(
      `\nThroughput, medians of ${opts.rounds} alternating rounds of ${opts.seconds} s (goal: DevMesh ≥ 0.90× direct):`,
    );
    printTable(['load', 'direct', 'Node pipe', 'DevMesh', 'pipe ÷ direct', 'DevMesh ÷ direct'], rows);
    console.log(
      '  Node pipe: bench/data/node-pipe.mjs, a bare stream pipe in its own process: the floor of any forwarder on ' +
        "Node's streams, for telling DevMesh's own cost from the hop's",
    );

    const size = run(
      'psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(pg.port),
        '-U',
        'devmesh',
        '-At',
        '-c',
        "select pg_database_size('bench')",
        'bench',
      ],
      'size',
    );
    const dump = join(work, 'direct.dump');
    const dumpMs = await timed(async () =>
      run(
        'pg_dump',
        ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'devmesh', '-Fc', '-f', dump, 'bench'],
        'pg_dump',
      ),
    );
    const snapMs = await timed(() =>
      api.call('databases.snapshot', { project: 'databench', service: 'db', name: 'bench-snap' }),
    );
    run(
      'psql',
      ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'devmesh', '-c', 'create database restore_direct', 'bench'],
      'createdb',
    );
    const pgRestoreMs = await timed(async () =>
      run(
        'pg_restore',
        ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'devmesh', '-d', 'restore_direct', dump],
        'pg_restore',
      ),
    );
    const restoreMs = await timed(() =>
      api.call('databases.restore', { project: 'databench', service: 'db', name: 'bench-snap' }),
    );
    const mb = Number(size) / 1e6;
    console.log(`\nSnapshot and restore of a ${f1(mb)} MB database (one run each):`);
    printTable(
      ['step', 'engine tool alone (ms)', 'DevMesh (ms)', 'ratio'],
      [
        ['snapshot: pg_dump -Fc', f1(dumpMs), f1(snapMs), f2(snapMs / dumpMs)],
        ['restore: pg_restore (new database)', f1(pgRestoreMs), f1(restoreMs), f2(restoreMs / pgRestoreMs)],
      ],
    );
    console.log(
      "\nDevMesh's snapshot adds a sha256 of the file and its record; its restore checks the hash, restores into a new " +
        'database and swaps it in (the current data is kept until the restore succeeded).',
    );
    console.log('Figures are noisy: compare rows within this run, not across runs or machines.');
  } finally {
    // the engines' own shutdown (postgres fast, redis save) before the daemon goes
    await api.call('services.stopAll', { project: 'databench' }).catch(() => {});
    api.close();
    await stop(d.child, 'SIGTERM', 40_000);
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
