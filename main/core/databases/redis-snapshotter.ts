// Redis snapshots: the RDB file the server streams to `redis-cli --rdb <file>` (a point-in-time dump, made by the
// server as for a replica: https://redis.io/docs/latest/develop/tools/cli/#remote-backups-of-rdb-files),
// gzip-compressed by the daemon. A restore replaces `dump.rdb` in the data folder while the server is stopped
// and keeps the old files until the server started on the new one. With `appendonly yes` Redis 7 loads only
// its AOF folder and, when that is missing, starts EMPTY and ignores dump.rdb (seen here with 7.0), so when the
// data folder has an AOF folder the restore replaces it too: a new one whose base is the snapshot's RDB, in
// Redis 7's multi-part AOF layout (a manifest line `file <name>.1.base.rdb seq 1 type b`,
// https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#append-only-file).
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { DevMeshError } from '../../../shared/errors.js';
import type { DatabaseHandle } from './database-handle.js';
import { runEngineTool } from './engine-run.js';
import { DEFAULT_SNAPSHOT_TIMEOUTS, type EngineSnapshotter, type SnapshotterTimeouts } from './engine-snapshotter.js';
import { FileSwap } from './file-swap.js';
import { temporaryBeside, unpackFailure } from './snapshot-file.js';

/** the file names the redis runtime uses in its data folder (`dir`): redis.conf's defaults */
export const REDIS_RDB_FILE = 'dump.rdb';
export const REDIS_AOF_DIR = 'appendonlydir';

export class RedisSnapshotter implements EngineSnapshotter {
  readonly ext = 'rdb.gz';
  readonly format = 'redis rdb (gzip)';

  constructor(private readonly timeouts: SnapshotterTimeouts = DEFAULT_SNAPSHOT_TIMEOUTS) {}

  async dump(db: DatabaseHandle, path: string): Promise<void> {
    await db.ensureRunning();
    // To a file, not `--rdb -`: on stdout redis-cli 7.0 leaves the 40-byte EOF mark of a diskless transfer after
    // the RDB (seen here), which dump.rdb tolerates but an AOF base file does not. redis-cli is a client and
    // needs no engine user: it runs as the daemon, so it can write into the daemon's snapshots folder.
    const rdb = `${path}.rdb`;
    try {
      await runEngineTool({ ...db.tool('redis-cli'), uid: null, gid: null }, [...this.connection(db), '--rdb', rdb], {
        timeoutMs: this.timeouts.dataMs,
        what: `the snapshot of ${db.service}`,
      });
      await pipeline(createReadStream(rdb), createGzip(), createWriteStream(path, { mode: 0o600 }));
    } finally {
      await rm(rdb, { force: true });
    }
  }

  async restore(db: DatabaseHandle, path: string): Promise<void> {
    // Never ran here (a fresh checkout restoring a teammate's pull): its first start makes the data folder
    // the snapshot is unpacked into; it would otherwise fail as if the snapshot were damaged.
    if (!(await FileSwap.exists(db.dataPath))) await db.ensureRunning();
    const rdb = join(db.dataPath, REDIS_RDB_FILE);
    const incoming = temporaryBeside(rdb);
    try {
      await pipeline(createReadStream(path), createGunzip(), createWriteStream(incoming, { mode: 0o600 }));
      await FileSwap.ownLike(incoming, db.dataPath);
      await this.checkRdb(db, incoming);
    } catch (err) {
      await rm(incoming, { force: true });
      throw unpackFailure(err, db.service, db.dataPath, 'is not a readable gzip RDB file');
    }
    const swap = new FileSwap();
    let newAof: string | null = null;
    try {
      await db.whileStopped(async () => {
        const aof = join(db.dataPath, REDIS_AOF_DIR);
        newAof = (await FileSwap.exists(aof)) ? await RedisSnapshotter.aofFrom(db, incoming, aof) : null;
        await swap.setAside(rdb);
        await swap.place(incoming, rdb);
        if (newAof !== null) {
          await swap.setAside(aof);
          await swap.place(newAof, aof);
        }
      });
    } catch (err) {
      // the server did not start on the new data (or the swap failed): the old files go back
      await rm(incoming, { force: true });
      if (newAof !== null) await rm(newAof, { recursive: true, force: true });
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

  /** a new AOF folder (beside `aof`) whose only part is the RDB `rdbFile` as its base */
  private static async aofFrom(db: DatabaseHandle, rdbFile: string, aof: string): Promise<string> {
    // the base name is the runtime's `appendfilename` (default appendonly.aof): read it off the manifest
    const manifest = (await readdir(aof)).find((f) => f.endsWith('.manifest')) ?? 'appendonly.aof.manifest';
    const prefix = manifest.slice(0, -'.manifest'.length);
    const dir = temporaryBeside(aof);
    await mkdir(dir, { mode: 0o700 });
    try {
      const base = `${prefix}.1.base.rdb`;
      await copyFile(rdbFile, join(dir, base));
      await writeFile(join(dir, manifest), `file ${base} seq 1 type b\n`, { mode: 0o600 });
      for (const f of [dir, join(dir, base), join(dir, manifest)]) await FileSwap.ownLike(f, db.dataPath);
      return dir;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
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
