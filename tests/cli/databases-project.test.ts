// Issue 17's project, as a developer runs it: an API backed by its own Postgres (`database:` block, seeded) and
// a cache on Redis, under a real `devmesh up` with the machine's engines. Both databases start before the API,
// the API reaches them through the URLs DevMesh injects (the stable TCP addresses), psql works through the
// stable address, snapshots round-trip the data, reset reseeds, a damaged snapshot is refused with the data
// kept, and stopping the daemon stops the engines with their own shutdown.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseInfo, SnapshotInfo } from '../../shared/database.js';
import type { TcpRoute } from '../../shared/proxy.js';
import type { ServiceInfo } from '../../shared/service.js';
import { tempDir, waitFor } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const haveEngines = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server');
const tmp = tempDir('devmesh-cli-dbproject-');
const projectDir = join(tmp.dir, 'shop');
const home = join(tmp.dir, 'home');
const cli = new CliHarness(home, tmp.dir);
let daemon: RunningCli | undefined;

/** The API: GET /items answers the rows of `items` (through DATABASE_URL, with psql) and the cache's answer
 * to GET greeting (through REDIS_URL, speaking RESP over node:net), with the URLs it was given. */
const API_JS = `
const http = require('node:http');
const net = require('node:net');
const { execFile } = require('node:child_process');
function items() {
  return new Promise((resolve, reject) =>
    execFile('psql', [process.env.DATABASE_URL, '-tAc', 'select name from items order by name'], (err, out, errOut) =>
      err ? reject(new Error(errOut || err.message)) : resolve(out.split('\\n').filter(Boolean))));
}
function greeting() {
  const u = new URL(process.env.REDIS_URL);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname);
    let got = '';
    s.on('data', (d) => { got += d; if (/\\r\\n/.test(got) && (got[0] !== '$' || got.split('\\r\\n').length > 2)) { s.end(); resolve(got); } });
    s.on('error', reject);
    s.write('*2\\r\\n$3\\r\\nGET\\r\\n$8\\r\\ngreeting\\r\\n');
  });
}
http.createServer(async (req, res) => {
  if (req.url === '/health') return res.end('ok');
  try {
    const body = { items: await items(), greeting: await greeting(), databaseUrl: process.env.DATABASE_URL,
      redisUrl: process.env.REDIS_URL, cacheUrl: process.env.CACHE_URL };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  } catch (err) { res.statusCode = 500; res.end(String(err && err.message)); }
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function services(): Promise<ServiceInfo[]> {
  return (await cli.json<{ services: ServiceInfo[] }>(['status', '--json'])).services;
}

async function apiItems(): Promise<{ items: string[]; greeting: string; databaseUrl: string; redisUrl: string }> {
  const api = (await services()).find((s) => s.name === 'api')!;
  const res = await fetch(`http://127.0.0.1:${api.port}/items`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /items: ${res.status} ${text}`);
  return JSON.parse(text) as { items: string[]; greeting: string; databaseUrl: string; redisUrl: string };
}

async function databases(): Promise<Record<string, DatabaseInfo>> {
  const list = await cli.json<DatabaseInfo[]>(['db', 'status']);
  return Object.fromEntries(list.map((d) => [d.service, d]));
}

function psql(url: string, sql: string): string {
  return execFileSync('psql', [url, '-tAc', sql], { encoding: 'utf8', timeout: scaled(20_000) }).trim();
}

function redisCli(address: string, ...args: string[]): string {
  const [host, port] = address.split(':') as [string, string];
  return execFileSync('redis-cli', ['-h', host, '-p', port, ...args], { encoding: 'utf8' }).trim();
}

describe.skipIf(!haveEngines)('a project with its own Postgres and a Redis cache', () => {
  beforeAll(async () => {
    ensureCliBuilt();
    mkdirSync(projectDir);
    writeFileSync(
      join(projectDir, 'seed.sql'),
      "create table items (name text);\ninsert into items values ('apple');\n",
    );
    writeFileSync(join(projectDir, 'api.js'), API_JS);
    writeFileSync(
      join(projectDir, 'devmesh.yaml'),
      [
        'project: shop',
        'services:',
        '  api:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    health: { http: /health }',
        '    depends_on: [cache]',
        '    database: { engine: postgres, version: ">=13", seed: seed.sql }',
        '  cache:',
        '    database: { engine: redis }',
      ].join('\n'),
    );
    process.env.DEVMESH_PROXY_HTTP_PORT = '0';
    process.env.DEVMESH_PROXY_HTTPS_PORT = '0';
    ({ daemon } = await cli.up(['--project', projectDir]));
    await waitFor(
      'api and its databases to be healthy',
      async () => {
        const all = await services();
        return all.length === 3 && all.every((s) => s.state === 'healthy');
      },
      scaled(120_000),
      300,
    );
  }, scaled(180_000));

  afterAll(async () => {
    await daemon?.stop('SIGTERM', scaled(60_000));
    let left = '';
    try {
      left = execFileSync('pgrep', ['-af', home], { encoding: 'utf8' }).trim();
    } catch {
      // pgrep exits 1 when nothing matches
    }
    tmp.dispose();
    expect(left).toBe('');
  }, scaled(90_000));

  it('starts both databases before the API, which reaches them through the stable addresses it is given', async () => {
    const all = await services();
    const started = (name: string) => all.find((s) => s.name === name)!.startedAt!;
    expect(started('api-db')).toBeLessThanOrEqual(started('api'));
    expect(started('cache')).toBeLessThanOrEqual(started('api'));
    const dbs = await databases();
    expect(dbs['api-db']).toMatchObject({ engine: 'postgres', owner: 'api', state: 'healthy', name: 'shop' });
    // the engine listens on the stable address itself: local clients pay no forwarding hop
    const stable = dbs['api-db']!.address!;
    expect(stable).toBe(`127.0.0.1:${dbs['api-db']!.port}`);
    expect(execFileSync('ss', ['-ltnpH', `sport = :${dbs['api-db']!.port}`], { encoding: 'utf8' })).toContain(
      'postgres',
    );
    redisCli(dbs.cache!.address!, 'set', 'greeting', 'hello');
    const answer = await apiItems();
    expect(answer.items).toEqual(['apple']);
    expect(answer.greeting).toContain('hello');
    expect(answer.databaseUrl).toBe(`postgres://devmesh@${stable}/shop`);
    expect(answer.redisUrl).toBe(`redis://${dbs.cache!.address}/0`);
    // a connection straight to the engine is still counted, from the kernel, while it is open and after
    const session = spawn('psql', [answer.databaseUrl, '-tAc', 'select pg_sleep(60)'], { stdio: 'ignore' });
    try {
      const route = async () =>
        (await cli.json<TcpRoute[]>(['routes', '--tcp', '--json'])).find((r) => r.service === 'api-db')!;
      await waitFor(
        'the open session to be counted',
        async () => (await route()).connections >= 1,
        scaled(30_000),
        200,
      );
      const open = await route();
      expect(open).toMatchObject({ address: stable, direct: true });
      expect(open.bytesIn).toBeGreaterThan(0);
      expect(open.bytesOut).toBeGreaterThan(0);
      session.kill('SIGKILL');
      await waitFor(
        'the session to be counted as closed',
        async () => (await route()).connections === 0,
        scaled(30_000),
      );
      expect((await route()).totalConnections).toBeGreaterThanOrEqual(1);
    } finally {
      session.kill('SIGKILL');
    }
  });

  it('snapshot and restore round-trip the data; reset reseeds; psql works through the stable address', async () => {
    const dbs = await databases();
    const url = dbs['api-db']!.url!;
    psql(url, "insert into items values ('banana')");
    const snap = await cli.json<SnapshotInfo>(['db', 'snapshot', 'api', '--name', 'two-items', '--json']);
    expect(snap).toMatchObject({ service: 'api-db', name: 'two-items', engine: 'postgres' });
    expect(snap.sizeBytes).toBeGreaterThan(0);
    psql(url, "delete from items; insert into items values ('cherry')");
    expect((await apiItems()).items).toEqual(['cherry']);

    const restore = await cli.run(['db', 'restore', 'api', 'two-items', '--yes']);
    expect(restore.code, restore.stderr).toBe(0);
    expect((await apiItems()).items).toEqual(['apple', 'banana']);

    const reset = await cli.run(['db', 'reset', 'api', '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect((await apiItems()).items).toEqual(['apple']);

    const list = await cli.json<SnapshotInfo[]>(['db', 'ls', 'api', '--json']);
    expect(list.map((s) => s.name)).toContain('two-items');
  });

  it('restores the cache from its snapshot', async () => {
    const dbs = await databases();
    redisCli(dbs.cache!.address!, 'set', 'greeting', 'before');
    const snap = await cli.run(['db', 'snapshot', 'cache', '--name', 'greeting-before']);
    expect(snap.code, snap.stderr).toBe(0);
    redisCli(dbs.cache!.address!, 'set', 'greeting', 'after');
    const restore = await cli.run(['db', 'restore', 'cache', 'greeting-before', '--yes']);
    expect(restore.code, restore.stderr).toBe(0);
    const after = await databases();
    await waitFor('the cache to be back', async () => (await databases()).cache?.state === 'healthy', scaled(30_000));
    expect(redisCli(after.cache!.address!, 'get', 'greeting')).toBe('before');
  });

  it('refuses a damaged snapshot, saying so, and keeps the data', async () => {
    const dbs = await databases();
    psql(dbs['api-db']!.url!, "insert into items values ('kept')");
    const snap = await cli.json<SnapshotInfo>(['db', 'snapshot', 'api', '--name', 'damaged', '--json']);
    const file = join(home, 'databases', 'shop', 'api-db', 'snapshots');
    const name = execFileSync('ls', [file], { encoding: 'utf8' })
      .split('\n')
      .find((f) => f.startsWith('damaged'))!;
    const bytes = readFileSync(join(file, name));
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(join(file, name), bytes);
    psql(dbs['api-db']!.url!, "insert into items values ('after')");
    const restore = await cli.run(['db', 'restore', 'api', 'damaged', '--yes']);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/sha256/);
    expect(snap.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await apiItems()).items).toEqual(['after', 'apple', 'kept']);
  });
});
