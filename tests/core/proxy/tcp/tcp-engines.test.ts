// Real database engines behind a stable TCP address: redis-server reached with redis-cli, and postgres (run
// as the `postgres` system user, since postgres refuses to run as root) reached with psql, both through the
// port DevMesh listens on, never the engine's own.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpHarness } from './tcp-harness.js';

const REDIS = '/usr/bin/redis-server';
// Never execFileSync: the forwarder runs in this process, and a blocked event loop would never accept.
const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { encoding: 'utf8', timeout: 60_000 })).stdout.trim();
const PG_BIN = '/usr/lib/postgresql/15/bin';
const hasRedis = existsSync(REDIS) && existsSync('/usr/bin/redis-cli');
const hasPostgres = existsSync(join(PG_BIN, 'postgres')) && existsSync('/usr/bin/psql');

let h: TcpHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

/** uid/gid of the `postgres` system user when this runs as root (postgres refuses root), else null: ourselves */
function postgresUser(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) return null;
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

describe.skipIf(!hasRedis)('redis-server behind the stable address', () => {
  it('answers redis-cli through DevMesh', async () => {
    h = new TcpHarness([
      'project: cachedemo',
      'services:',
      '  cache:',
      '    version: 7.0.0',
      `    command: "${REDIS} --port $PORT --bind 127.0.0.1 --save '' --appendonly no"`,
      '    protocol: tcp',
      '    health: { tcp: true, interval: 100ms, start_timeout: 20s }',
      '    stop_timeout: 5s',
    ]);
    await h.open();
    await h.healthy('cache');
    const { port } = await h.route('cache');
    const cli = (...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
    expect(await cli('SET', 'greeting', 'through devmesh')).toBe('OK');
    expect(await cli('GET', 'greeting')).toBe('through devmesh');
    const route = await h.route('cache');
    expect(route.totalConnections).toBeGreaterThanOrEqual(2);
    expect(route.bytesIn).toBeGreaterThan(0);
    expect(route.bytesOut).toBeGreaterThan(0);
  });
});

const pg = postgresUser();
describe.skipIf(!hasPostgres || (userInfo().uid === 0 && pg === null))('postgres behind the stable address', () => {
  it('answers psql through DevMesh', async () => {
    h = new TcpHarness([]);
    const data = join(h.dir, 'pgdata');
    const sockets = join(h.dir, 'pgsock');
    mkdirSync(data);
    mkdirSync(sockets);
    if (pg !== null) {
      // initdb and postgres refuse root: the folders become the postgres user's, and both run as it.
      for (const p of [h.dir, data, sockets]) chownSync(p, pg.uid, pg.gid);
      chmodSync(h.dir, 0o755);
    }
    const init = spawnSync(
      join(PG_BIN, 'initdb'),
      ['-D', data, '-U', 'devmesh', '--auth=trust', '--no-sync', '-E', 'UTF8'],
      { encoding: 'utf8', ...(pg ?? {}) },
    );
    expect(init.status, init.stderr).toBe(0);
    const asPostgres = pg !== null ? 'setpriv --reuid postgres --regid postgres --clear-groups ' : '';
    h.writeConfig([
      'project: pgdemo',
      'services:',
      '  db:',
      '    version: 15.0.0',
      `    command: "exec ${asPostgres}${PG_BIN}/postgres -D ${data} -p $PORT -k ${sockets} -h 127.0.0.1 -F"`,
      '    protocol: tcp',
      '    health: { tcp: true, interval: 100ms, start_timeout: 30s }',
      // SIGINT: postgres's fast shutdown
      '    stop_signal: SIGINT',
      '    stop_timeout: 10s',
    ]);
    await h.open();
    await h.healthy('db');
    const { port } = await h.route('db');
    const psql = (sql: string) =>
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'devmesh', '-d', 'postgres', '-Atc', sql]);
    await psql('CREATE TABLE t (v text)');
    await psql("INSERT INTO t VALUES ('through devmesh')");
    expect(await psql('SELECT v FROM t')).toBe('through devmesh');
    expect((await h.route('db')).totalConnections).toBe(3);
  });
});
