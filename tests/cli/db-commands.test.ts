// `devmesh db status` and `devmesh db psql` end to end: the real CLI, a real daemon (`up --port 0`), and a
// project with a postgres, a redis and a sqlite database run from the machine's engines.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseInfo } from '../../shared/database.js';
import { tempDir, waitFor } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const haveEngines = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server');
const tmp = tempDir('devmesh-cli-db-');
const projectDir = join(tmp.dir, 'shop');
const home = join(tmp.dir, 'home');
const cli = new CliHarness(home, tmp.dir);
let daemon: RunningCli | undefined;

function enginesOf(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

describe.skipIf(!haveEngines)('devmesh db', () => {
  beforeAll(async () => {
    ensureCliBuilt();
    mkdirSync(projectDir);
    writeFileSync(
      join(projectDir, 'seed.sql'),
      "create table items (name text);\ninsert into items values ('apple');\n",
    );
    writeFileSync(join(projectDir, 'app.js'), 'setInterval(() => {}, 1000);\n');
    writeFileSync(
      join(projectDir, 'devmesh.yaml'),
      [
        'project: shop',
        'services:',
        '  store:',
        '    database: { engine: postgres, seed: seed.sql }',
        '  cache:',
        '    database: { engine: redis }',
        '  app:',
        '    version: 1.0.0',
        '    command: node app.js',
        '    database: { engine: sqlite }',
      ].join('\n'),
    );
    process.env.DEVMESH_PROXY_HTTP_PORT = '0';
    process.env.DEVMESH_PROXY_HTTPS_PORT = '0';
    ({ daemon } = await cli.up(['--project', projectDir]));
    await waitFor(
      'the databases to be healthy',
      async () => {
        const list = await cli.json<DatabaseInfo[]>(['db', 'status']);
        return list.length === 3 && list.every((d) => d.state === 'healthy');
      },
      scaled(90_000),
      300,
    );
  }, scaled(150_000));

  afterAll(async () => {
    await daemon?.stop('SIGTERM', scaled(60_000));
    // the daemon's stop stopped its engines: none runs on this test's home any more
    expect(enginesOf(home)).toBe('');
    tmp.dispose();
  }, scaled(90_000));

  it('status lists each database with its engine, address and data; --json gives DatabaseInfo', async () => {
    const list = await cli.json<DatabaseInfo[]>(['db', 'status', '--project', 'shop']);
    expect(list.map((d) => [d.service, d.engine, d.owner])).toEqual([
      ['store', 'postgres', null],
      ['cache', 'redis', null],
      ['app', 'sqlite', 'app'],
    ]);
    expect(list[0]!.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(list[0]!.dataPath).toBe(join(home, 'databases', 'shop', 'store', 'data'));
    const text = await cli.run(['db', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^SERVICE\s+ENGINE\s+STATE\s+ADDRESS\s+SIZE\s+DATA$/m);
    expect(text.stdout).toMatch(/^store\s+postgres \d+\.\d+\.\d+\s+healthy\s+127\.0\.0\.1:\d+\s+[\d.]+ MB\s+\//m);
    expect(text.stdout).toMatch(/^app\s+sqlite [\d.]+\s+healthy\s+sqlite:\/\//m);
  });

  it('psql runs the engine client on the database, arguments after -- passed on', async () => {
    const pg = await cli.run(['db', 'psql', 'store', '--', '-tAc', 'select name from items']);
    expect(pg.stderr).toBe('');
    expect(pg.stdout.trim()).toBe('apple');
    const redis = await cli.run(['db', 'psql', 'cache', '--', 'ping']);
    expect(redis.stdout.trim()).toBe('PONG');
  });

  it('says which databases exist, and what to install when the client is missing', async () => {
    const none = await cli.run(['db', 'psql', 'nope']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no database 'nope'; the databases: store, cache, app");
    const bare = new CliHarness(home, tmp.dir, { PATH: dirname(process.execPath) });
    const missing = await bare.run(['db', 'psql', 'app']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('sqlite3 is not installed');
    expect(missing.stderr).toContain('`sudo apt install sqlite3`');
  });
});
