// Postgres snapshots against a real postgres 15 (as the `postgres` user when root): snapshot → change →
// restore gives the old rows back; reset empties and reseeds; a damaged snapshot or a dump that fails midway
// leaves the current data as it was; a full disk lists no half snapshot.
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import { digest } from '../../../main/core/databases/snapshot-file.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { enginesMissing, type TestPostgres } from '../../helpers/test-database-engines.js';
import { SnapshotFixture } from './snapshot-fixture.js';

const SEED = `CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL);
INSERT INTO items VALUES (1, 'seeded');`;

async function failure(p: Promise<unknown>): Promise<DevMeshError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DevMeshError);
  return err as DevMeshError;
}

describe.skipIf(enginesMissing !== null)('postgres snapshots', () => {
  let fx: SnapshotFixture;
  let pg: TestPostgres;

  beforeEach(async () => {
    fx = new SnapshotFixture();
    pg = fx.add(await fx.engines.postgres({ project: 'shop', service: 'api-db', owner: 'api', seed: SEED }));
  }, scaled(60_000));

  afterEach(async () => {
    await fx.dispose();
  }, scaled(60_000));

  const labels = () => pg.query('SELECT label FROM items ORDER BY id');

  it(
    'restores the rows a snapshot held, after they were changed',
    async () => {
      pg.query("INSERT INTO items VALUES (2, 'before')");
      const snap = await fx.snapshots.snapshot({ service: 'api', name: 'two-rows' });
      expect(snap).toMatchObject({ project: 'shop', service: 'api-db', name: 'two-rows', engine: 'postgres' });
      expect(snap.format).toBe('pg_dump custom');
      const file = join(fx.home, 'databases', 'shop', 'api-db', 'snapshots', 'two-rows.pgdump');
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP'); // the custom format's magic
      expect(snap.sizeBytes).toBe(statSync(file).size);
      expect(snap.sha256).toBe((await digest(file)).sha256);

      pg.query("DELETE FROM items; INSERT INTO items VALUES (3, 'after')");
      expect(labels()).toBe('after');
      const info = await fx.snapshots.restore({ service: 'api-db', name: 'two-rows' });
      expect(info.service).toBe('api-db');
      expect(labels()).toBe('seeded\nbefore');
      // the swap left no staging or old database behind
      expect(pg.psql('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'shop%' ORDER BY 1").trim()).toBe(
        'shop',
      );
      expect(fx.events.map((e) => (e.type === 'database.changed' ? e.what : e.type))).toEqual([
        'snapshot two-rows',
        'restored two-rows',
      ]);
    },
    scaled(60_000),
  );

  it(
    'restores while a client holds a connection to the database (the owner keeps its pool open)',
    async () => {
      await fx.snapshots.snapshot({ service: 'api', name: 'snap' });
      pg.query("UPDATE items SET label = 'changed'");
      const client = spawn(
        '/usr/lib/postgresql/15/bin/psql',
        ['-h', '127.0.0.1', '-p', String(pg.port()), '-U', 'devmesh', '-X', '-d', 'shop'],
        { stdio: ['pipe', 'ignore', 'ignore'], ...(fx.engines.user ?? {}) },
      );
      try {
        client.stdin.write('BEGIN; SELECT * FROM items;\n'); // an open transaction on the old database
        const sessions = () =>
          Number(pg.query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'shop' AND pid <> pg_backend_pid()"));
        await until('the client connected', () => sessions() > 0);
        await fx.snapshots.restore({ service: 'api', name: 'snap' });
        expect(labels()).toBe('seeded');
        expect(sessions()).toBe(0); // its connection was ended by the swap
      } finally {
        client.kill('SIGKILL');
      }
    },
    scaled(60_000),
  );

  it(
    'lists snapshots with size and time, names them by default, and refuses a duplicate name',
    async () => {
      const before = Date.now();
      const first = await fx.snapshots.snapshot({ service: 'api-db' });
      expect(first.name).toMatch(/^api-db-\d{8}-\d{6}$/);
      const err = await failure(fx.snapshots.snapshot({ service: 'api-db', name: first.name }));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain(first.name);
      const list = fx.snapshots.list({ service: 'api' });
      expect(list).toHaveLength(1);
      expect(list[0]!.sizeBytes).toBeGreaterThan(0);
      expect(list[0]!.createdAt).toBeGreaterThanOrEqual(before);
      expect(list[0]!.published).toBe(false);
      expect(list[0]!.source).toBeNull();
    },
    scaled(60_000),
  );

  it(
    'resets the database to its seed',
    async () => {
      pg.query("INSERT INTO items VALUES (2, 'extra'); CREATE TABLE other (x int)");
      await fx.snapshots.reset({ service: 'api' });
      expect(labels()).toBe('seeded');
      expect(pg.query("SELECT count(*) FROM pg_tables WHERE tablename = 'other'")).toBe('0');
    },
    scaled(60_000),
  );

  it(
    'refuses a snapshot whose bytes were flipped, and touches nothing',
    async () => {
      await fx.snapshots.snapshot({ service: 'api', name: 'good' });
      pg.query("UPDATE items SET label = 'current'");
      const file = fx.store.get('shop', 'api-db', 'good')!.path;
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(file, bytes);
      const err = await failure(fx.snapshots.restore({ service: 'api', name: 'good' }));
      expect(err.code).toBe('SNAPSHOT_CORRUPT');
      expect(err.message).toMatch(/damaged.*nothing was restored/);
      expect(labels()).toBe('current');
    },
    scaled(60_000),
  );

  it(
    'keeps the current data when pg_restore fails midway (a truncated dump recorded as whole)',
    async () => {
      pg.query(`INSERT INTO items SELECT g, repeat('x', 200) || g FROM generate_series(2, 3000) g`);
      await fx.snapshots.snapshot({ service: 'api', name: 'cut' });
      const stored = fx.store.get('shop', 'api-db', 'cut')!;
      truncateSync(stored.path, Math.floor(stored.sizeBytes * 0.6));
      // the record now matches the truncated bytes: the hash check passes, pg_restore meets the cut
      const cut = await digest(stored.path);
      fx.database.db
        .prepare('UPDATE database_snapshots SET sha256 = ?, size = ? WHERE name = ?')
        .run(cut.sha256, cut.size, 'cut');
      pg.query("DELETE FROM items WHERE id > 1; UPDATE items SET label = 'current'");

      const err = await failure(fx.snapshots.restore({ service: 'api', name: 'cut' }));
      expect(err.code).toBe('SNAPSHOT_CORRUPT');
      expect(err.message).toContain('pg_restore');
      expect(labels()).toBe('current');
      expect(pg.psql('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'shop%'").trim()).toBe('shop');
    },
    scaled(60_000),
  );

  it(
    'puts back the data a restore cut short between its renames left as <name>__old',
    async () => {
      await fx.snapshots.snapshot({ service: 'api', name: 'snap' });
      pg.query("UPDATE items SET label = 'current'");
      // the state a daemon killed mid-swap leaves: the data renamed aside, connections refused
      pg.psql('postgres', 'ALTER DATABASE shop ALLOW_CONNECTIONS false;\nALTER DATABASE shop RENAME TO shop__old;');
      const stored = fx.store.get('shop', 'api-db', 'snap')!;
      truncateSync(stored.path, Math.floor(stored.sizeBytes / 2));
      const cut = await digest(stored.path);
      fx.database.db.prepare('UPDATE database_snapshots SET sha256 = ?, size = ?').run(cut.sha256, cut.size);

      expect((await failure(fx.snapshots.restore({ service: 'api', name: 'snap' }))).code).toBe('SNAPSHOT_CORRUPT');
      expect(labels()).toBe('current');
    },
    scaled(60_000),
  );

  it.skipIf(FullDisk.unavailable() !== null)(
    'a full disk answers DISK_FULL and lists no half snapshot',
    async () => {
      const disk = FullDisk.mount(2);
      const small = new SnapshotFixture(disk.dir);
      try {
        small.add(pg);
        // incompressible rows: the dump is larger than what is left on the disk
        pg.query(`INSERT INTO items SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(2, 60000) g`);
        disk.fill();
        const err = await failure(small.snapshots.snapshot({ service: 'api', name: 'big' }));
        expect(err.code).toBe('DISK_FULL');
        expect(err.message).toMatch(/disk is full/);
        expect(small.snapshots.list({})).toEqual([]);
        expect(readdirSync(small.store.folder('shop', 'api-db'))).toEqual([]);
      } finally {
        await small.dispose();
        disk.dispose();
      }
    },
    scaled(60_000),
  );
});
