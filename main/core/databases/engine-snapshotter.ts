// What snapshot, restore and reset are for one engine (postgres-snapshotter.ts, redis-snapshotter.ts,
// sqlite-snapshotter.ts): each works only through the DatabaseHandle, so it meets the engine's runtime there.
import type { DatabaseHandle } from './database-handle.js';

export interface EngineSnapshotter {
  /** the snapshot file's extension: `pgdump`, `rdb.gz`, `sqlite.gz` */
  readonly ext: string;
  /** as SnapshotInfo.format says it */
  readonly format: string;
  /** writes a snapshot of the database into `path` (a temporary name; the caller renames it when whole) */
  dump(db: DatabaseHandle, path: string): Promise<void>;
  /** replaces the database's contents with a snapshot whose hash was checked; on failure the current data
   *  stays as it was */
  restore(db: DatabaseHandle, path: string): Promise<void>;
  /** empties the database and seeds it again */
  reset(db: DatabaseHandle): Promise<void>;
}

export interface SnapshotterTimeouts {
  /** a dump or a restore (default 10 minutes: a 100 MB database takes well under one here) */
  dataMs: number;
  /** a short command (psql's DDL, redis-cli FLUSHALL) */
  commandMs: number;
}

export const DEFAULT_SNAPSHOT_TIMEOUTS: SnapshotterTimeouts = { dataMs: 10 * 60_000, commandMs: 60_000 };
