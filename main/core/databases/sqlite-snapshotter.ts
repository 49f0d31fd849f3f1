// SQLite snapshots: SQLite's online backup (better-sqlite3 `.backup()`, https://www.sqlite.org/backup.html)
// of the file the owner's process uses, consistent while the owner writes, then gzip-compressed. A restore
// unpacks beside the file, runs `PRAGMA integrity_check` on the copy, and only then, with the owner stopped,
// renames it over the file (the old file and its -wal/-shm set aside until the owner is back).
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { DevMeshError } from '../../../shared/errors.js';
import type { DatabaseHandle } from './database-handle.js';
import type { EngineSnapshotter } from './engine-snapshotter.js';
import { FileSwap } from './file-swap.js';
import { temporaryBeside, unpackFailure } from './snapshot-file.js';

export class SqliteSnapshotter implements EngineSnapshotter {
  readonly ext = 'sqlite.gz';
  readonly format = 'sqlite (gzip)';

  async dump(db: DatabaseHandle, path: string): Promise<void> {
    const plain = `${path}.plain`;
    try {
      let source: BetterSqlite3.Database;
      try {
        source = new BetterSqlite3(db.dataPath, { fileMustExist: true });
      } catch (err) {
        throw new DevMeshError(
          'SERVICE_FAILED',
          `the snapshot of ${db.service}: its file ${db.dataPath} cannot be opened (${(err as Error).message}); ` +
            `start its owner once (it creates the file) or reset it with \`devmesh db reset ${db.service}\``,
        );
      }
      try {
        await source.backup(plain);
      } finally {
        source.close();
      }
      await pipeline(createReadStream(plain), createGzip(), createWriteStream(path, { mode: 0o600 }));
    } finally {
      await rm(plain, { force: true });
    }
  }

  async restore(db: DatabaseHandle, path: string): Promise<void> {
    // never used here yet: its folder (and file) made first, as its owner's first start would
    if (!(await FileSwap.exists(db.dataPath))) await db.ensureRunning();
    const incoming = temporaryBeside(db.dataPath);
    try {
      await pipeline(createReadStream(path), createGunzip(), createWriteStream(incoming, { mode: 0o600 }));
      SqliteSnapshotter.check(db, incoming);
    } catch (err) {
      await rm(incoming, { force: true });
      throw unpackFailure(err, db.service, dirname(db.dataPath), 'is not a readable gzip SQLite file');
    }
    const swap = new FileSwap();
    try {
      await db.whileStopped(async () => {
        await swap.setAside(db.dataPath);
        await swap.setAside(`${db.dataPath}-wal`);
        await swap.setAside(`${db.dataPath}-shm`);
        await swap.place(incoming, db.dataPath);
      });
    } catch (err) {
      await rm(incoming, { force: true });
      await db.whileStopped(() => swap.undo());
      throw err;
    }
    await swap.commit();
  }

  async reset(db: DatabaseHandle): Promise<void> {
    await db.whileStopped(async () => {
      await db.initialize();
      await db.seed();
    });
  }

  private static check(db: DatabaseHandle, file: string): void {
    let result: string;
    const copy = new BetterSqlite3(file, { fileMustExist: true });
    try {
      result = (copy.pragma('integrity_check', { simple: true }) as string) ?? '';
      copy.pragma('journal_mode = DELETE'); // no -wal beside the copy when it is renamed
    } finally {
      copy.close();
    }
    if (result !== 'ok')
      throw new DevMeshError(
        'SNAPSHOT_CORRUPT',
        `the snapshot for ${db.service} fails SQLite's integrity check (${result}); its data is unchanged`,
      );
  }
}
