// Databases through DevMesh (printed, never asserted), each figure beside a baseline measured in the same run:
//   1. pgbench, read-only (-S), against an engine's own port (direct, no DevMesh), beside DevMesh's stable TCP
//      address in both of its modes: a local engine listening on the address itself (what a developer gets when
//      the database runs here), and DevMesh's forwarder in front of the engine (what it does when a teammate
//      serves the address, or a dependent's range keeps each connection checked), and a bare Node pipe (the
//      floor of any forwarder on Node's streams); rounds alternate so a busy neighbour skews every side alike;
//   2. redis-benchmark GET and SET the same way;
//   3. a snapshot of a ~100 MB database (`databases.snapshot`) beside `pg_dump -Fc` alone, and its restore
//      (`databases.restore`) beside `pg_restore` into a new database alone.
// A real `devmesh up` (own temp DEVMESH_HOME, mDNS off, every port on 127.0.0.1) runs two projects with a
// postgres and a redis database service each, from the engines installed on this machine: `databench` as
// written (its engines on their stable addresses), and `databench-fwd`, whose one dependent declares ranges
// its engines are outside of (`on_version_mismatch: warn`), so DevMesh keeps forwarding each connection.
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

/** alternating rounds of each side (direct, DevMesh local, DevMesh forwarding, Node pipe); the median of each */
function alternate(sides) {
  const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let i = 0; i < opts.rounds; i++) for (const [k, fn] of Object.entries(sides)) runs[k].push(fn());
  const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, med(v)]));
}

const row = (label, r) => [
  label,
  f1(r.direct),
  f1(r.local),
  f2(r.local / r.direct),
  f1(r.forwarded),
  f2(r.forwarded / r.direct),
  f2(r.pipe / r.direct),
];

const PROJECT = (name, forwarded) =>
  [
    `project: ${name}`,
    'services:',
    '  db:',
    '    database: { engine: postgres, name: bench }',
    '  cache:',
    '    database: { engine: redis }',
    ...(forwarded
      ? [
          '  pin:',
          '    version: 1.0.0',
          `    command: "${process.execPath} -e 'setInterval(() => {}, 1000)'"`,
          '    health: { exec: "true" }',
          '    depends_on:',
          '      db: { version: ">=999", on_version_mismatch: warn }',
          '      cache: { version: ">=999", on_version_mismatch: warn }',
        ]
      : []),
    '',
  ].join('\n');

/** a project's two databases, running */
async function openProject(api, name, forwarded) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'devmesh.yaml'), PROJECT(name, forwarded));
  await api.call('projects.open', { root: dir });
  await api.call('services.startAll', { project: name, wait: true });
  const dbs = await api.call('databases.list', { project: name });
  const pg = dbs.find((x) => x.service === 'db');
  const redis = dbs.find((x) => x.service === 'cache');
  if (!pg?.port || !pg.address || !redis?.port || !redis.address)
    throw new Error(`the databases of ${name} did not come up: ${JSON.stringify(dbs)}`);
  const routes = await api.call('proxy.tcp', { project: name });
  const direct = routes.filter((r) => r.direct).map((r) => r.service);
  return { pg, redis, pgStable: hostPort(pg.address).port, redisStable: hostPort(redis.address).port, direct };
}

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
  const d = await startDaemon(cli, join(work, 'home'));
  const api = await apiClient(d);
  try {
    const local = await openProject(api, 'databench', false);
    const fwd = await openProject(api, 'databench-fwd', true);
    const { pg } = local;
    for (const [name, p] of [
      ['databench', local],
      ['databench-fwd', fwd],
    ]) {
      console.log(
        `${name}: postgres ${p.pg.engineVersion} on ${p.pg.port} (address ${p.pg.address}), redis ` +
          `${p.redis.engineVersion} on ${p.redis.port} (address ${p.redis.address}); engines on their address: ` +
          `${p.direct.join(', ') || 'none'}`,
      );
    }
    console.log(`${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)}`);
    if (local.direct.length !== 2 || fwd.direct.length !== 0)
      throw new Error('the two projects are not in the modes this bench compares (see the line above)');
    for (const p of [local, fwd]) {
      run(
        'pgbench',
        ['-h', '127.0.0.1', '-p', String(p.pg.port), '-U', 'devmesh', '-i', '-q', '-s', String(opts.scale), 'bench'],
        'pgbench -i',
      );
    }

    const [pgPipe, redisPipe] = [await nodePipe(fwd.pg.port), await nodePipe(fwd.redis.port)];
    const rows = [];
    for (const c of [1, opts.clients]) {
      const r = alternate({
        direct: () => pgbench(fwd.pg.port, 'bench', c),
        local: () => pgbench(local.pgStable, 'bench', c),
        forwarded: () => pgbench(fwd.pgStable, 'bench', c),
        pipe: () => pgbench(pgPipe, 'bench', c),
      });
      rows.push(row(`pgbench -S -c${c} (tps)`, r));
    }
    for (const test of ['get', 'set']) {
      const r = alternate({
        direct: () => redisBench(fwd.redis.port, test),
        local: () => redisBench(local.redisStable, test),
        forwarded: () => redisBench(fwd.redisStable, test),
        pipe: () => redisBench(redisPipe, test),
      });
      rows.push(row(`redis-benchmark ${test.toUpperCase()} -c50 (req/s)`, r));
    }
    console.log(
      `\nThroughput, medians of ${opts.rounds} alternating rounds of ${opts.seconds} s ` +
        '(goal: DevMesh ≥ 0.90× direct for a database that runs here):',
    );
    printTable(
      ['load', 'direct', 'DevMesh, local', 'local ÷ direct', 'DevMesh, forwarding', 'fwd ÷ direct', 'pipe ÷ direct'],
      rows,
    );
    console.log(
      "  direct: an engine's own port, no DevMesh. DevMesh, local: the stable address of a database that runs here " +
        '(the engine listens there itself, DevMesh counts its connections from the kernel). DevMesh, forwarding: ' +
        "the stable address with DevMesh's forwarder in front (a teammate's instance, or a dependent's range to " +
        "check). pipe: bench/data/node-pipe.mjs, a bare stream pipe in its own process, the floor of any forwarder on Node's streams.",
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
    await api.call('services.stopAll', { project: 'databench-fwd' }).catch(() => {});
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
