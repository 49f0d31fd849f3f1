// A restore that DevMesh's death cut short (the data files set aside, the snapshot's maybe placed, nothing
// confirmed) is undone before the engine's next start: the data from before the restore is back, never an empty
// database, and the database's log says so. A real core with a real redis-server and a real SQLite file.
import { execFile } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpHarness } from '../proxy/tcp/tcp-harness.js';
import { until } from '../../helpers/until.js';

const hasRedis = existsSync('/usr/bin/redis-server') && existsSync('/usr/bin/redis-cli');
const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { encoding: 'utf8', timeout: 30_000 })).stdout.trim();

let h: TcpHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

async function dataPath(service: string): Promise<string> {
  const dbs = await h!.call('databases.list', { project: 'shop' });
  return dbs.find((d) => d.service === service)!.dataPath;
}

async function logSays(service: string, text: RegExp): Promise<boolean> {
  const page = await h!.call('logs.page', { project: 'shop', name: service, limit: 200 });
  return page.lines.some((l) => text.test(l.text));
}

describe.skipIf(!hasRedis)('a restore cut short by DevMesh dying', () => {
  it.each([
    ['set aside, nothing placed yet', false],
    ['set aside, the snapshot placed, never confirmed', true],
  ])('redis: %s: the keys from before it are back', async (_what, placed) => {
    h = new TcpHarness(['project: shop', 'services:', '  cache:', '    database: { engine: redis }']);
    await h.open();
    await h.healthy('cache');
    const { port } = await h.route('cache');
    expect(await run('redis-cli', ['-p', String(port), 'set', 'counter', '41'])).toBe('OK');
    await h.call('services.stop', { project: 'shop', name: 'cache' }); // redis saves on its way down
    const rdb = join(await dataPath('cache'), 'dump.rdb');
    renameSync(rdb, `${rdb}.before-restore`);
    if (placed) writeFileSync(rdb, 'not what the user had');

    await h.call('services.start', { project: 'shop', name: 'cache', wait: true });
    expect(await run('redis-cli', ['-p', String(port), 'get', 'counter'])).toBe('41');
    expect(existsSync(`${rdb}.before-restore`)).toBe(false);
    await until('the log to say it', () => logSays('cache', /restore was cut short/), 10_000);
  });

  it('sqlite: the rows from before it are back', async () => {
    h = new TcpHarness([
      'project: shop',
      'services:',
      '  app:',
      '    version: 1.0.0',
      `    command: "${process.execPath} -e 'setInterval(() => {}, 1000)'"`,
      '    health: { exec: "true" }',
      '    database: { engine: sqlite }',
    ]);
    await h.open();
    await h.healthy('app');
    const file = await dataPath('app');
    const db = new BetterSqlite3(file);
    db.exec("create table t (v text); insert into t values ('mine')");
    db.close();
    await h.call('services.stop', { project: 'shop', name: 'app' });
    renameSync(file, `${file}.before-restore`);

    await h.call('services.start', { project: 'shop', name: 'app', wait: true });
    const back = new BetterSqlite3(file, { readonly: true });
    try {
      expect(back.prepare('select v from t').all()).toEqual([{ v: 'mine' }]);
    } finally {
      back.close();
    }
    await until('the log to say it', () => logSays('app', /restore was cut short/), 10_000);
  });
});
