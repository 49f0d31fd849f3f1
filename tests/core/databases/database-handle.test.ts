// What the snapshot code gets of a database (DatabaseHandle), on real engines: stopping it with what depends
// on it and starting again what ran, emptying it, seeding it, its tools; and sqlite's file for its owner.
import BetterSqlite3 from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProgram } from '../../../main/core/databases/run-program.js';
import type { ManagedDatabase } from '../../../main/core/databases/managed-database.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { DatabaseLab } from './database-lab.js';

const haveEngines = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server');

const STAY_UP = `require('fs').writeFileSync('env-' + process.env.DEVMESH_SERVICE + '.json', JSON.stringify(process.env));
setInterval(() => {}, 1000);`;

function count(handle: ManagedDatabase): Promise<string> {
  const args = ['-h', '127.0.0.1', '-p', String(handle.port()), '-U', 'devmesh', '-d', 'shop'];
  return runProgram(handle.tool('psql'), { what: 'count', args: [...args, '-tAc', 'select count(*) from items'] });
}

describe.skipIf(!haveEngines)('a database handle', () => {
  let lab: DatabaseLab | null = null;
  afterEach(async () => {
    await lab?.close();
    lab = null;
  });

  it('whileStopped stops dependents first and restarts what ran; initialize and seed reset the data', async () => {
    lab = new DatabaseLab();
    lab.write('api.js', STAY_UP);
    lab.write('seed.sql', 'create table items (id int primary key);\ninsert into items values (1), (2);\n');
    await lab.open(
      [
        'project: shop',
        'services:',
        '  api:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    database: { engine: postgres, seed: seed.sql }',
        '  idle:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    autostart: false',
        '    depends_on: [api-db]',
      ].join('\n'),
    );
    const supervisor = lab.projects.resolve('shop').supervisor;
    await until('api healthy', () => supervisor.get('api').current === 'healthy', scaled(90_000));
    // the owner's handle, by the owner's name
    const handle = lab.databases.manager.handle({ project: 'shop', service: 'api' });
    expect(handle.service).toBe('api-db');
    expect(handle.dataPath).toBe(join(lab.home.dir, 'databases', 'shop', 'api-db', 'data'));
    // as root (CI) the server programs run as the postgres user; clients as the daemon
    if (process.getuid?.() === 0) expect(handle.tool('postgres').uid).not.toBe(0);
    else expect(handle.tool('postgres').uid).toBeNull();
    expect(handle.tool('pg_dump').uid).toBeNull();
    await runProgram(handle.tool('psql'), {
      what: 'insert',
      args: [
        '-h',
        '127.0.0.1',
        '-p',
        String(handle.port()),
        '-U',
        'devmesh',
        '-d',
        'shop',
        '-c',
        'insert into items values (3)',
      ],
    });
    expect((await count(handle)).trim()).toBe('3');

    const order: string[] = [];
    lab.events.onDidEmitEvent((e) => e.type === 'service.state' && order.push(`${e.service}:${e.to}`));
    await handle.whileStopped(async () => {
      expect(supervisor.get('api').current).toBe('stopped');
      expect(supervisor.get('api-db').current).toBe('stopped');
      expect(handle.port()).toBeNull();
      await handle.initialize();
    });
    expect(order.indexOf('api:stopped')).toBeLessThan(order.indexOf('api-db:stopped'));
    expect(supervisor.get('api').current).toBe('healthy');
    expect(supervisor.get('api-db').current).toBe('healthy');
    expect(supervisor.get('idle').current).toBe('stopped'); // it did not run before: not started
    // initialize emptied it (the database exists, without the seed's table), seed fills it again
    await expect(count(handle)).rejects.toThrow(/relation "items" does not exist/);
    await handle.seed();
    expect((await count(handle)).trim()).toBe('2');

    // whileStopped restarts what ran also when the work fails, and passes the failure on
    await expect(handle.whileStopped(() => Promise.reject(new Error('restore failed')))).rejects.toThrow(
      'restore failed',
    );
    expect(supervisor.get('api-db').current).toBe('healthy');
    await expect(handle.initialize()).rejects.toThrow(/is running: stop it first/);
  });

  it('sqlite: a file under $DEVMESH_HOME, seeded, given to its owner as DATABASE_URL', async () => {
    lab = new DatabaseLab();
    lab.write('api.js', STAY_UP);
    lab.write('seed.sql', "create table notes (body text);\ninsert into notes values ('hello');\n");
    await lab.open(
      [
        'project: shop',
        'services:',
        '  api:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    database: { engine: sqlite, name: notes, seed: seed.sql }',
      ].join('\n'),
    );
    const file = join(lab.home.dir, 'databases', 'shop', 'api', 'notes.db');
    const envFile = join(lab.projectDir, 'env-api.json');
    const env = JSON.parse(
      await until('api env', () => existsSync(envFile) && readFileSync(envFile, 'utf8')),
    ) as Record<string, string>;
    expect(env.DATABASE_URL).toBe(`sqlite://${file}`);
    const db = new BetterSqlite3(file, { readonly: true });
    expect(db.prepare('select body from notes').all()).toEqual([{ body: 'hello' }]);
    db.close();
    const [info] = lab.databases.manager.list('shop');
    expect(info).toMatchObject({ service: 'api', owner: 'api', engine: 'sqlite', url: `sqlite://${file}`, port: null });
    expect(info!.sizeBytes).toBeGreaterThan(0);
  });
});
