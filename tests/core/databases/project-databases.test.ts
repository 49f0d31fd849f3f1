// A project whose api has a postgres database (seeded) and depends on a redis cache (a database-only
// service), run with the machine's own engines: both start before api, api reaches them through
// DATABASE_URL / REDIS_URL, stopping the project shuts the engines down their own way, and the data survives.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceStateEvent } from '../../../shared/events.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { DatabaseLab } from './database-lab.js';

const PSQL = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find((p) => existsSync(p));
const haveEngines = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server') && PSQL !== undefined;

// The api: asks postgres (psql) and redis (a PING over node's net) where its variables point, writes what it
// saw to out.json, and stays up.
const API = `
const { execFileSync } = require('child_process');
const net = require('net');
const fs = require('fs');
const rows = execFileSync(${JSON.stringify(PSQL)}, [process.env.DATABASE_URL, '-tAc', 'select name from items order by id'],
  { encoding: 'utf8' }).trim().split('\\n');
const redis = new URL(process.env.REDIS_URL);
const socket = net.connect(Number(redis.port), redis.hostname, () => socket.write('PING\\r\\n'));
socket.once('data', (d) => {
  fs.writeFileSync('out.json', JSON.stringify({ rows, pong: d.toString().trim(), env: {
    DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, CACHE_URL: process.env.CACHE_URL } }));
  socket.end();
});
setInterval(() => {}, 1000);
`;

const YAML = `project: shop
services:
  api:
    version: 1.0.0
    command: node api.js
    depends_on: [cache]
    database: { engine: postgres, seed: seed.sql }
  cache:
    database: { engine: redis }
`;

const SEED = `create table items (id int primary key, name text not null);
insert into items values (1, 'apple'), (2, 'pear');
`;

function psql(url: string, sql: string): string {
  return execFileSync(PSQL!, [url, '-tAc', sql], { encoding: 'utf8' }).trim();
}

function redisCli(url: string, ...args: string[]): string {
  const { hostname, port } = new URL(url);
  return execFileSync('redis-cli', ['-h', hostname, '-p', port, ...args], { encoding: 'utf8' }).trim();
}

describe.skipIf(!haveEngines)('a project with a postgres and a redis database', () => {
  let lab: DatabaseLab | null = null;
  afterEach(async () => {
    await lab?.close();
    lab = null;
  });

  it('starts both before api, which reaches them; a stop is clean and a restart keeps the data', async () => {
    lab = new DatabaseLab();
    const out = join(lab.projectDir, 'out.json');
    lab.write('api.js', API);
    lab.write('seed.sql', SEED);
    const states: ServiceStateEvent[] = [];
    lab.events.onDidEmitEvent((e) => e.type === 'service.state' && states.push(e));
    const info = await lab.open(YAML);
    expect(info.services).toEqual(['api-db', 'cache', 'api']);

    const seen = await until(
      'api to write out.json',
      () => existsSync(out) && readFileSync(out, 'utf8'),
      scaled(90_000),
    );
    const saw = JSON.parse(seen) as { rows: string[]; pong: string; env: Record<string, string> };
    expect(saw.rows).toEqual(['apple', 'pear']);
    expect(saw.pong).toBe('+PONG');
    expect(saw.env.DATABASE_URL).toMatch(/^postgres:\/\/devmesh@127\.0\.0\.1:\d+\/shop$/);
    expect(saw.env.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0$/);
    expect(saw.env.CACHE_URL).toBe(saw.env.REDIS_URL);

    // Both databases were healthy before api's process was started.
    const at = (service: string, to: string) => states.findIndex((e) => e.service === service && e.to === to);
    expect(at('api-db', 'healthy')).toBeGreaterThanOrEqual(0);
    expect(at('cache', 'healthy')).toBeGreaterThanOrEqual(0);
    expect(at('api', 'starting')).toBeGreaterThan(at('api-db', 'healthy'));
    expect(at('api', 'starting')).toBeGreaterThan(at('cache', 'healthy'));

    expect(lab.projects.resolve('shop').supervisor.get('api-db').info().database).toBe('postgres');
    const [db] = lab.databases.manager.list('shop').filter((d) => d.service === 'api-db');
    expect(db).toMatchObject({ owner: 'api', engine: 'postgres', state: 'healthy', problem: null, name: 'shop' });
    expect(db!.engineVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(db!.sizeBytes).toBeGreaterThan(1_000_000);
    psql(saw.env.DATABASE_URL!, "insert into items values (3, 'plum')");
    expect(redisCli(saw.env.REDIS_URL!, 'set', 'greeting', 'hello')).toBe('OK');

    await lab.projects.close('shop');
    const pgLog = lab.lines('api-db').join('\n');
    expect(pgLog).toContain('received fast shutdown request');
    expect(pgLog).toContain('database system is shut down');
    expect(pgLog).not.toContain('SIGKILL');
    const redisLog = lab.lines('cache').join('\n');
    expect(redisLog).toMatch(/Received SIGTERM/);
    expect(redisLog).toMatch(/DB saved on disk/);
    expect(redisLog).not.toContain('SIGKILL');

    // Opened again: no second seed (it would fail on the primary key), and what was written is still there.
    await lab.projects.open(lab.projectDir);
    await until(
      'api-db and cache healthy again',
      () => ['api-db', 'cache'].every((n) => lab!.projects.resolve('shop').supervisor.get(n).current === 'healthy'),
      scaled(60_000),
    );
    const again = lab.databases.manager.list('shop');
    const url = (service: string) => again.find((d) => d.service === service)!.url!;
    expect(psql(url('api-db'), 'select name from items order by id')).toBe('apple\npear\nplum');
    expect(redisCli(url('cache'), 'get', 'greeting')).toBe('hello');
  });

  it('a home too deep for a unix socket path: the socket goes to a short folder of its own', async () => {
    lab = new DatabaseLab({ deepHome: true });
    const data = join(lab.home.dir, 'databases', 'shop', 'store', 'data');
    expect(Buffer.byteLength(join(data, '.s.PGSQL.65535'))).toBeGreaterThan(100);
    await lab.open(['project: shop', 'services:', '  store:', '    database: { engine: postgres }'].join('\n'));
    const supervisor = lab.projects.resolve('shop').supervisor;
    await until('store healthy', () => supervisor.get('store').current === 'healthy', scaled(90_000));
    const port = supervisor.get('store').info().port!;
    const sockets = readdirSync(tmpdir())
      .filter((n) => n.startsWith('devmesh-pg-'))
      .filter((n) => existsSync(join(tmpdir(), n, `.s.PGSQL.${port}`)));
    expect(sockets).toHaveLength(1);
    // the server takes local connections on it (the snapshot tools may use it)
    expect(
      execFileSync(
        PSQL!,
        ['-h', join(tmpdir(), sockets[0]!), '-p', String(port), '-U', 'devmesh', '-d', 'shop', '-tAc', 'select 42'],
        { encoding: 'utf8' },
      ).trim(),
    ).toBe('42');
    await lab.projects.close('shop');
    rmSync(join(tmpdir(), sockets[0]!), { recursive: true, force: true });
  });
});
