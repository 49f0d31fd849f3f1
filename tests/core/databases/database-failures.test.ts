// What goes wrong with a database, with the machine's real engines: a missing engine, a version out of range,
// a busy port, a seed that fails. Each gives a clear message and costs nothing else: the project opens, the
// other services run, and a failed first start leaves no half-made data behind.
import { spawn, spawnSync } from 'node:child_process';
import { runProgram } from '../../../main/core/databases/run-program.js';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceState } from '../../../shared/service.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { httpServer } from '../../helpers/supervisor-harness.js';
import { DatabaseLab } from './database-lab.js';

/** pids of processes working in `dir` (an engine's cwd is its data folder) */
function enginesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

const haveEngines = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server');

describe.skipIf(!haveEngines)('a database that cannot run', () => {
  let lab: DatabaseLab | null = null;
  let empty: string;
  let holder: Server | null = null;
  beforeEach(() => {
    empty = mkdtempSync(join(tmpdir(), 'devmesh-nothing-'));
  });
  afterEach(async () => {
    await lab?.close();
    lab = null;
    holder?.close();
    holder = null;
    rmSync(empty, { recursive: true, force: true });
  });

  const state = (service: string) => lab!.projects.resolve('shop').supervisor.get(service).info();
  const reaches = (service: string, to: ServiceState) =>
    until(`${service} ${to}`, () => state(service).state === to, scaled(60_000));

  it('missing engine: ENGINE_MISSING naming the package, and the other services still start', async () => {
    lab = new DatabaseLab({
      locator: { path: empty, locations: { postgres: [empty], redis: [empty] }, platform: 'linux' },
    });
    const web = httpServer(lab.projectDir).replace(/'/g, '"');
    await lab.open(
      [
        'project: shop',
        'services:',
        '  api:',
        '    version: 1.0.0',
        `    command: '${web}'`,
        '    database: { engine: postgres }',
        '  cache:',
        '    database: { engine: redis }',
        '  web:',
        '    version: 1.0.0',
        `    command: '${web}'`,
        '    health: { http: /health }',
      ].join('\n'),
    );
    await reaches('web', 'healthy');
    await reaches('api-db', 'crashed');
    await reaches('cache', 'crashed');
    expect(state('api-db').reason).toContain('shop/api-db: postgres is not installed');
    expect(state('api-db').reason).toContain('`sudo apt install postgresql`');
    expect(state('api').state).not.toBe('healthy');
    const [apiDb, cache] = lab.databases.manager.list('shop');
    expect(apiDb).toMatchObject({ service: 'api-db', engineVersion: null, binary: null, url: null });
    expect(apiDb!.problem).toContain('`sudo apt install postgresql`');
    expect(cache!.problem).toContain('`sudo apt install redis-server`');
    // no made-up version: a clear state saying what is missing, where DevMesh looked, and what installs it
    expect(state('api-db').version).toBeNull();
    expect(state('cache').version).toBeNull();
    expect(state('web')).toMatchObject({ version: '1.0.0' });
    expect(state('web').engineMissing).toBeUndefined();
    const missing = {
      engine: 'postgres',
      program: 'postgres',
      lookedIn: [empty, empty],
      debianPackage: 'postgresql',
      brewFormula: 'postgresql@16',
    };
    expect(state('api-db').engineMissing).toMatchObject(missing);
    expect(state('api-db').engineMissing!.message).toContain(`looked on PATH (${empty}) and in ${empty}`);
    expect(apiDb!.engineMissing).toMatchObject(missing);
    expect(cache!.engineMissing).toMatchObject({
      program: 'redis-server',
      debianPackage: 'redis-server',
      brewFormula: 'redis',
    });
  });

  it('an engine installed after the project opened: its version shows, and it starts, without a reload', async () => {
    lab = new DatabaseLab({ locator: { path: empty, locations: { redis: [empty] }, platform: 'linux' } });
    await lab.open(['project: shop', 'services:', '  cache:', '    database: { engine: redis }'].join('\n'));
    await reaches('cache', 'crashed');
    expect(state('cache')).toMatchObject({ version: null, engineMissing: { program: 'redis-server' } });
    // "installed": redis-server appears in a folder DevMesh searches
    for (const program of ['redis-server', 'redis-cli']) symlinkSync(`/usr/bin/${program}`, join(empty, program));
    expect(state('cache').version).toMatch(/^7\.\d+\.\d+$/);
    expect(state('cache').engineMissing).toBeUndefined();
    expect(lab.databases.manager.list('shop')[0]).toMatchObject({
      engineMissing: null,
      binary: join(empty, 'redis-server'),
    });
    await lab.projects.resolve('shop').supervisor.start('cache', { wait: true });
    expect(state('cache')).toMatchObject({ state: 'healthy', version: expect.stringMatching(/^7\./) });
  });

  it('DEVMESH_ENGINE_LOCATIONS replaces the standard locations: with PATH, it can leave no engine to find', async () => {
    // The daemon reads both from its environment: a machine where the engine lives in an unusual folder (or,
    // here, nowhere) is described without code.
    lab = new DatabaseLab({ env: { ...process.env, PATH: empty, DEVMESH_ENGINE_LOCATIONS: empty } });
    await lab.open(['project: shop', 'services:', '  cache:', '    database: { engine: redis }'].join('\n'));
    await reaches('cache', 'crashed');
    expect(state('cache').reason).toContain('shop/cache: redis-server is not installed');
    expect(state('cache').reason).toContain('`sudo apt install redis-server`');
    expect(lab.databases.manager.list('shop')[0]).toMatchObject({ engineVersion: null, binary: null });
  });

  it('a version out of range: the message names the range and the version found', async () => {
    lab = new DatabaseLab();
    await lab.open(
      ['project: shop', 'services:', '  cache:', '    database: { engine: redis, version: ">=99" }'].join('\n'),
    );
    await reaches('cache', 'crashed');
    expect(state('cache').reason).toMatch(
      /shop\/cache: needs redis >=99, but this machine has 7\.\d+\.\d+ \(\/usr\/bin\/redis-server\)/,
    );
  });

  it('a busy port: the message says who holds it', async () => {
    lab = new DatabaseLab();
    holder = createServer();
    const port = await new Promise<number>((resolve) =>
      holder!.listen(0, '127.0.0.1', () => resolve((holder!.address() as { port: number }).port)),
    );
    await lab.open(
      ['project: shop', 'services:', '  cache:', `    port: ${port}`, '    database: { engine: redis }'].join('\n'),
    );
    await reaches('cache', 'crashed');
    expect(state('cache').reason).toContain(`port ${port} is busy`);
    expect(state('cache').reason).toContain('services.cache.port');
  });

  it('closed during its first start: the temporary server and the seed are stopped, nothing is left', async () => {
    lab = new DatabaseLab();
    const dir = lab.dir;
    lab.write('seed.sql', 'create table items (id int primary key);\nselect pg_sleep(600);\n');
    await lab.open(
      ['project: shop', 'services:', '  store:', '    database: { engine: postgres, seed: seed.sql }'].join('\n'),
    );
    const staging = join(lab.home.dir, 'databases', 'shop', 'store', 'data.staging');
    const psql = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find((p) => existsSync(p))!;
    const sleeping = () =>
      spawnSync(
        psql,
        [
          '-h',
          staging,
          '-p',
          '5432',
          '-U',
          'devmesh',
          '-d',
          'postgres',
          '-tAc',
          "select count(*) from pg_stat_activity where query like 'select pg_sleep%'",
        ],
        { encoding: 'utf8' },
      );
    await until('the seed to run on the temporary server', () => sleeping().stdout.trim() === '1', scaled(60_000));
    try {
      await lab.close(); // a daemon that stops, or a project closed, while the first start seeds
      lab = null;
      expect(enginesIn(dir)).toEqual([]);
    } finally {
      for (const pid of enginesIn(dir)) process.kill(pid, 'SIGKILL'); // never leave one behind, even failing
    }
  });

  it('DevMesh dying with a client connected: postgres gets its fast shutdown, not a SIGKILL', async () => {
    lab = new DatabaseLab();
    const dir = lab.dir;
    await lab.open(['project: shop', 'services:', '  store:', '    database: { engine: postgres }'].join('\n'));
    await reaches('store', 'healthy');
    const handle = lab.databases.manager.handle({ project: 'shop', service: 'store' });
    const psql = handle.tool('psql').file;
    // a developer's psql session left open: SIGTERM (smart shutdown) would wait for it until the SIGKILL
    const client = spawn(psql, ['-h', '127.0.0.1', '-p', String(handle.port()), '-U', 'devmesh', '-d', 'shop'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    try {
      await until(
        'the client connected',
        () =>
          spawnSync(
            psql,
            [
              '-h',
              '127.0.0.1',
              '-p',
              String(handle.port()),
              '-U',
              'devmesh',
              '-d',
              'shop',
              '-tAc',
              "select count(*) from pg_stat_activity where backend_type = 'client backend'",
            ],
            { encoding: 'utf8' },
          ).stdout.trim() === '2',
        scaled(30_000),
      );
      lab.reaper.dispose(); // what DevMesh's death looks like to the reaper: its pipe closes
      await until(
        'postgres to be gone',
        () => enginesIn(join(lab!.home.dir, 'databases')).length === 0,
        scaled(60_000),
      );
      const control = await runProgram(handle.tool('pg_controldata'), { what: 'state', args: [handle.dataPath] });
      expect(control).toMatch(/Database cluster state:\s+shut down\n/);
    } finally {
      client.kill('SIGKILL');
      for (const pid of enginesIn(dir)) process.kill(pid, 'SIGKILL');
    }
  });

  it('a failed seed: a clear message, no data folder left; fixed, the next start seeds it', async () => {
    lab = new DatabaseLab();
    lab.write('seed.sql', 'create table items (id int primary key);\ninsert into items values (1);\nselec oops;\n');
    await lab.open(
      ['project: shop', 'services:', '  store:', '    database: { engine: postgres, seed: seed.sql }'].join('\n'),
    );
    await reaches('store', 'crashed');
    const reason = state('store').reason!;
    expect(reason).toContain(
      `the first start of shop/store failed while seeding from ${join(lab.projectDir, 'seed.sql')}`,
    );
    expect(reason).toContain('syntax error at or near "selec"');
    const folder = join(lab.home.dir, 'databases', 'shop', 'store');
    expect(readdirSync(folder)).toEqual([]);

    lab.write('seed.sql', 'create table items (id int primary key);\ninsert into items values (1), (2);\n');
    await lab.projects.resolve('shop').supervisor.start('store', { wait: true });
    expect(readdirSync(folder)).toEqual(['data']);
    const handle = lab.databases.manager.handle({ project: 'shop', service: 'store' });
    const { runProgram } = await import('../../../main/core/databases/run-program.js');
    const psql = handle.tool('psql');
    const rows = await runProgram(psql, {
      what: 'count',
      args: [
        '-h',
        '127.0.0.1',
        '-p',
        String(handle.port()),
        '-U',
        'devmesh',
        '-d',
        'shop',
        '-tAc',
        'select count(*) from items',
      ],
    });
    expect(rows.trim()).toBe('2');
  });
});

describe.skipIf(!haveEngines)('a restore into a database that never ran here', () => {
  let lab: DatabaseLab | null = null;
  afterEach(async () => {
    await lab?.close();
    lab = null;
  });

  it("restores a redis snapshot on a machine where the cache never started (a teammate's pull)", async () => {
    lab = new DatabaseLab();
    await lab.open(['project: shop', 'services:', '  cache:', '    database: { engine: redis }'].join('\n'));
    const supervisor = lab.projects.resolve('shop').supervisor;
    await until('cache healthy', () => supervisor.get('cache').info().state === 'healthy', scaled(60_000));
    const handle = lab.databases.manager.handle({ project: 'shop', service: 'cache' });
    const cli = handle.tool('redis-cli');
    const redis = (...args: string[]) =>
      runProgram(cli, { what: 'redis', args: ['-h', '127.0.0.1', '-p', String(handle.port()), ...args] });
    await redis('SET', 'greeting', 'from ada');
    const snapshots = lab.databases.snapshots.snapshots;
    await snapshots.snapshot({ service: 'cache', name: 'realistic' });
    // a fresh checkout: the snapshot is here (pulled), the cache never ran, so it has no data folder yet
    await supervisor.get('cache').stop();
    rmSync(handle.dataPath, { recursive: true, force: true });

    await snapshots.restore({ service: 'cache', name: 'realistic' });
    expect(handle.port()).not.toBeNull();
    expect((await redis('GET', 'greeting')).trim()).toBe('from ada');
  });
});
