// Redis and SQLite snapshots against a real redis-server 7 and a real SQLite file: snapshot → change →
// restore gives the old data back; reset empties and reseeds; a damaged snapshot changes nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import { FileSwap } from '../../../main/core/databases/file-swap.js';
import { digest } from '../../../main/core/databases/snapshot-file.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { scaled } from '../../helpers/load-scale.js';
import { enginesMissing, type TestRedis, type TestSqlite } from '../../helpers/test-database-engines.js';
import { SnapshotFixture } from './snapshot-fixture.js';

async function failure(p: Promise<unknown>): Promise<DevMeshError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DevMeshError);
  return err as DevMeshError;
}

/** rewrites a snapshot's file and records the new bytes as its own (so only the engine's check can fail) */
async function replaceRecorded(fx: SnapshotFixture, service: string, name: string, bytes: Buffer): Promise<void> {
  const stored = fx.store.get('shop', service, name)!;
  writeFileSync(stored.path, bytes);
  const d = await digest(stored.path);
  fx.database.db
    .prepare('UPDATE database_snapshots SET sha256 = ?, size = ? WHERE service = ? AND name = ?')
    .run(d.sha256, d.size, service, name);
}

describe.skipIf(enginesMissing !== null)('redis snapshots', () => {
  let fx: SnapshotFixture;
  let redis: TestRedis;

  beforeEach(async () => {
    fx = new SnapshotFixture();
    redis = fx.add(await fx.engines.redis({ project: 'shop', service: 'cache', seed: 'SET greeting seeded' }));
  }, scaled(60_000));

  afterEach(async () => {
    await fx.dispose();
  }, scaled(60_000));

  it(
    'restores the keys a snapshot held, after they were changed',
    async () => {
      redis.cli(['SET', 'counter', '41']);
      const snap = await fx.snapshots.snapshot({ service: 'cache', name: 'keys' });
      expect(snap.format).toBe('redis rdb (gzip)');
      const file = fx.store.get('shop', 'cache', 'keys')!.path;
      expect(file.endsWith('keys.rdb.gz')).toBe(true);
      expect(gunzipSync(readFileSync(file)).subarray(0, 5).toString()).toBe('REDIS');

      redis.cli(['SET', 'counter', '99']);
      redis.cli(['DEL', 'greeting']);
      await fx.snapshots.restore({ service: 'cache', name: 'keys' });
      expect(redis.port()).not.toBeNull(); // started again
      expect(redis.cli(['GET', 'counter'])).toBe('41');
      expect(redis.cli(['GET', 'greeting'])).toBe('seeded');
      expect(existsSync(FileSwap.aside(join(redis.dataPath, 'dump.rdb')))).toBe(false); // the old dump went once up
    },
    scaled(60_000),
  );

  it(
    'restores into a server that loads its AOF (appendonly yes), not only dump.rdb',
    async () => {
      const aof = fx.add(
        await fx.engines.redis({ project: 'shop', service: 'sessions', seed: 'SET s seeded', appendonly: true }),
      );
      aof.cli(['SET', 'counter', '1']);
      await fx.snapshots.snapshot({ service: 'sessions', name: 'one' });
      aof.cli(['SET', 'counter', '2']);
      aof.cli(['DEL', 's']);
      await fx.snapshots.restore({ service: 'sessions', name: 'one' });
      expect(aof.cli(['GET', 'counter'])).toBe('1');
      expect(aof.cli(['GET', 's'])).toBe('seeded');
      expect(aof.cli(['CONFIG', 'GET', 'appendonly'])).toBe('appendonly\nyes');
      // and it stays so across another restart (the AOF now holds the restored data)
      await aof.whileStopped(async () => {});
      expect(aof.cli(['GET', 'counter'])).toBe('1');
    },
    scaled(60_000),
  );

  it(
    'resets to the seed',
    async () => {
      redis.cli(['SET', 'extra', '1']);
      redis.cli(['SET', 'greeting', 'changed']);
      await fx.snapshots.reset({ service: 'cache' });
      expect(redis.cli(['DBSIZE'])).toBe('1');
      expect(redis.cli(['GET', 'greeting'])).toBe('seeded');
    },
    scaled(60_000),
  );

  it(
    'refuses a flipped snapshot before stopping anything, and a recorded non-RDB file without losing data',
    async () => {
      await fx.snapshots.snapshot({ service: 'cache', name: 'snap' });
      redis.cli(['SET', 'greeting', 'current']);
      const path = fx.store.get('shop', 'cache', 'snap')!.path;
      const rdb = gunzipSync(readFileSync(path));
      const bytes = readFileSync(path);
      bytes[bytes.length - 12] ^= 0xff;
      writeFileSync(path, bytes);
      expect((await failure(fx.snapshots.restore({ service: 'cache', name: 'snap' }))).code).toBe('SNAPSHOT_CORRUPT');
      expect(redis.stops).toBe(0);

      // the hash recorded as its own, but the RDB inside is cut short: redis-check-rdb refuses it
      await replaceRecorded(fx, 'cache', 'snap', gzipSync(rdb.subarray(0, Math.floor(rdb.length / 2))));
      expect((await failure(fx.snapshots.restore({ service: 'cache', name: 'snap' }))).code).toBe('SNAPSHOT_CORRUPT');
      expect(redis.cli(['GET', 'greeting'])).toBe('current');
    },
    scaled(60_000),
  );
});

describe('sqlite snapshots', () => {
  let fx: SnapshotFixture;
  let lite: TestSqlite;

  beforeEach(async () => {
    fx = new SnapshotFixture();
    lite = fx.add(
      await fx.engines.sqlite({
        project: 'shop',
        service: 'api',
        owner: 'api',
        seed: "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT); INSERT INTO items VALUES (1, 'seeded');",
      }),
    );
  });

  afterEach(async () => {
    await fx.dispose();
  });

  const labels = () => lite.all('SELECT label FROM items ORDER BY id').map((r) => (r as { label: string }).label);

  it('restores the rows a snapshot held, after they were changed', async () => {
    lite.exec("INSERT INTO items VALUES (2, 'before')");
    const snap = await fx.snapshots.snapshot({ service: 'api', name: 'rows' });
    expect(snap.format).toBe('sqlite (gzip)');
    lite.exec("DELETE FROM items; INSERT INTO items VALUES (3, 'after')");
    await fx.snapshots.restore({ service: 'api', name: 'rows' });
    expect(labels()).toEqual(['seeded', 'before']);
    expect(lite.stops).toBe(1);
  });

  it('resets to the seed', async () => {
    lite.exec("INSERT INTO items VALUES (2, 'extra')");
    await fx.snapshots.reset({ service: 'api' });
    expect(labels()).toEqual(['seeded']);
  });

  it('refuses a damaged snapshot and a file that is not a database, leaving the data as it was', async () => {
    await fx.snapshots.snapshot({ service: 'api', name: 'snap' });
    lite.exec("UPDATE items SET label = 'current'");
    const path = fx.store.get('shop', 'api', 'snap')!.path;
    const bytes = readFileSync(path);
    bytes[20] ^= 0xff;
    writeFileSync(path, bytes);
    expect((await failure(fx.snapshots.restore({ service: 'api', name: 'snap' }))).code).toBe('SNAPSHOT_CORRUPT');
    await replaceRecorded(fx, 'api', 'snap', gzipSync(Buffer.from('not a database at all, just text '.repeat(200))));
    expect((await failure(fx.snapshots.restore({ service: 'api', name: 'snap' }))).code).toBe('SNAPSHOT_CORRUPT');
    expect(lite.stops).toBe(0);
    expect(labels()).toEqual(['current']);
  });
});

describe.skipIf(FullDisk.unavailable() !== null)('a restore on a full disk', () => {
  let fx: SnapshotFixture;
  let data: string;
  let filler: string;

  beforeEach(() => {
    fx = new SnapshotFixture();
    // the database's own folder on a small disk of its own; the snapshots stay on the big one
    data = join(fx.home, 'databases', 'shop', 'api', 'data');
    mkdirSync(data, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', data], { timeout: 5000 });
    filler = join(data, 'filler');
  });

  afterEach(async () => {
    await fx.dispose().catch(() => undefined);
    spawnSync('umount', ['-l', data], { timeout: 5000 });
    rmSync(fx.home, { recursive: true, force: true });
  });

  it('says the disk is full, not that a good snapshot is damaged, and keeps the data', async () => {
    const lite = fx.add(
      await fx.engines.sqlite({
        project: 'shop',
        service: 'api',
        owner: 'api',
        seed: "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT); INSERT INTO items VALUES (1, 'seeded');",
      }),
    );
    lite.exec(
      'WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 2001) ' +
        'INSERT INTO items SELECT i, hex(randomblob(200)) FROM n',
    );
    await fx.snapshots.snapshot({ service: 'api', name: 'big' });
    lite.exec("DELETE FROM items WHERE id > 1; UPDATE items SET label = 'current'");
    writeFileSync(filler, Buffer.alloc(0));
    const block = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 64; i++) {
      try {
        appendFileSync(filler, block);
      } catch {
        break; // full
      }
    }
    const err = await failure(fx.snapshots.restore({ service: 'api', name: 'big' }));
    expect(err.code).toBe('DISK_FULL');
    expect(err.message).toContain('disk is full');
    expect(lite.stops).toBe(0);
    rmSync(filler); // (reading a WAL database needs a byte of disk for its -shm)
    expect(lite.all('SELECT label FROM items')).toEqual([{ label: 'current' }]);
    await fx.snapshots.restore({ service: 'api', name: 'big' });
    expect(lite.all('SELECT count(*) AS n FROM items')).toEqual([{ n: 2001 }]);
  });
});
