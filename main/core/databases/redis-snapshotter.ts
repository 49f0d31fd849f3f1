// Redis snapshots: the RDB file the server streams to `redis-cli --rdb -` (a point-in-time dump, made by the
// server as for a replica: https://redis.io/docs/latest/develop/tools/cli/#remote-backups-of-rdb-files),
// gzip-compressed by the daemon. A restore replaces `dump.rdb` in the data folder while the server is stopped
// and keeps the old file until the server started on the new one. The runtime's `appendonly` would make the
// server load its AOF instead of dump.rdb, so a restore also sets the AOF folder aside (removed with the old
// dump once the server is up; Redis 7 rebuilds its AOF from the loaded data when appendonly is on).
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { DevMeshError } from '../../../shared/errors.js';
import type { DatabaseHandle } from './database-handle.js';
import { runEngineTool } from './engine-run.js';
import { DEFAULT_SNAPSHOT_TIMEOUTS, type EngineSnapshotter, type SnapshotterTimeouts } from './engine-snapshotter.js';
import { FileSwap } from './file-swap.js';
import { temporaryBeside } from './snapshot-file.js';

/** the file names the redis runtime uses in its data folder (`dir`): redis.conf's defaults */
export const REDIS_RDB_FILE = 'dump.rdb';
export const REDIS_AOF_DIR = 'appendonlydir';

export class RedisSnapshotter implements EngineSnapshotter {
  readonly ext = 'rdb.gz';
  readonly format = 'redis rdb (gzip)';

  constructor(private readonly timeouts: SnapshotterTimeouts = DEFAULT_SNAPSHOT_TIMEOUTS) {}

  async dump(db: DatabaseHandle, path: string): Promise<void> {
    await db.ensureRunning();
    await runEngineTool(db.tool('redis-cli'), [...this.connection(db), '--rdb', '-'], {
      stdout: (out) => pipeline(out, createGzip(), createWriteStream(path, { mode: 0o600 })),
      timeoutMs: this.timeouts.dataMs,
      what: `the snapshot of ${db.service}`,
    });
  }

  async restore(db: DatabaseHandle, path: string): Promise<void> {
    const rdb = join(db.dataPath, REDIS_RDB_FILE);
    const incoming = temporaryBeside(rdb);
    try {
      await pipeline(createReadStream(path), createGunzip(), createWriteStream(incoming, { mode: 0o600 }));
      await FileSwap.ownLike(incoming, db.dataPath);
      await this.checkRdb(db, incoming);
    } catch (err) {
      await rm(incoming, { force: true });
      if (err instanceof DevMeshError) throw err;
      throw new DevMeshError(
        'SNAPSHOT_CORRUPT',
        `the snapshot for ${db.service} is not a readable gzip RDB file (${(err as Error).message}); its data is unchanged`,
      );
    }
    const swap = new FileSwap();
    try {
      await db.whileStopped(async () => {
        await swap.setAside(rdb);
        await swap.setAside(join(db.dataPath, REDIS_AOF_DIR));
        await swap.place(incoming, rdb);
      });
    } catch (err) {
      // the server did not start on the new data (or the swap failed): the old files go back
      await rm(incoming, { force: true });
      await db.whileStopped(() => swap.undo());
      throw err;
    }
    await swap.commit();
  }

  async reset(db: DatabaseHandle): Promise<void> {
    await db.ensureRunning();
    const said = await runEngineTool(db.tool('redis-cli'), [...this.connection(db), 'FLUSHALL'], {
      timeoutMs: this.timeouts.commandMs,
      what: `the reset of ${db.service}`,
    });
    if (!/^OK/.test(said.trim()))
      throw new DevMeshError('SERVICE_FAILED', `the reset of ${db.service}: FLUSHALL answered ${said.trim()}`);
    await db.seed();
  }

  /** `REDIS` then a 4-digit version starts every RDB file; redis-check-rdb, when installed, reads it whole */
  private async checkRdb(db: DatabaseHandle, file: string): Promise<void> {
    const head = Buffer.alloc(9);
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, 9, 0);
    } finally {
      await handle.close();
    }
    if (!/^REDIS\d{4}$/.test(head.toString('latin1')))
      throw new DevMeshError(
        'SNAPSHOT_CORRUPT',
        `the snapshot for ${db.service} does not hold an RDB file; its data is unchanged`,
      );
    let checker;
    try {
      checker = db.tool('redis-check-rdb');
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'ENGINE_MISSING') return; // the header check stands
      throw err;
    }
    await runEngineTool(checker, [file], {
      timeoutMs: this.timeouts.dataMs,
      failure: 'SNAPSHOT_CORRUPT',
      what: `the snapshot for ${db.service} (its data is unchanged)`,
    });
  }

  private connection(db: DatabaseHandle): string[] {
    const port = db.port();
    if (port === null)
      throw new DevMeshError(
        'SERVICE_FAILED',
        `${db.service} is not running: start it with \`devmesh start ${db.service}\``,
      );
    return ['-h', '127.0.0.1', '-p', String(port)];
  }
}
