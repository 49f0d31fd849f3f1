// Snapshots of the databases DevMesh runs: take one (the engine's own dump format, compressed, hashed), list
// them, restore one (its hash checked first; the current data kept on any failure), reset a database (empty
// and seeded again), publish one for teammates, and pull a teammate's (snapshot-pull.ts). One operation at a
// time per database: a snapshot taken during a restore would hold neither state.
import { dirname, join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { DatabaseEngine, DatabaseInfo, SnapshotInfo } from '../../../shared/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import * as storageFailure from '../health/storage-failure.js';
import type { DatabaseHandle } from './database-handle.js';
import { findDatabase, type DatabaseDirectory } from './database-directory.js';
import type { EngineSnapshotter } from './engine-snapshotter.js';
import { PostgresSnapshotter } from './postgres-snapshotter.js';
import { PublishedSnapshotFiles } from './published-snapshot-files.js';
import { RedisSnapshotter } from './redis-snapshotter.js';
import { digest, writeWhole } from './snapshot-file.js';
import type { SnapshotStore, StoredSnapshot } from './snapshot-store.js';
import { SqliteSnapshotter } from './sqlite-snapshotter.js';

export interface DatabaseSnapshotsDeps {
  store: SnapshotStore;
  directory: DatabaseDirectory;
  /** the id of the open project a request names (ProjectManager.resolve) */
  projectId: (ref?: string) => string;
  emit: (event: DevMeshEvent) => void;
  snapshotters?: Record<DatabaseEngine, EngineSnapshotter>;
  now?: () => Date;
}

export class DatabaseSnapshots {
  /** what the peer ingress serves */
  readonly published: PublishedSnapshotFiles;
  private readonly snapshotters: Record<DatabaseEngine, EngineSnapshotter>;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: DatabaseSnapshotsDeps) {
    this.published = new PublishedSnapshotFiles(deps.store);
    this.snapshotters = deps.snapshotters ?? {
      postgres: new PostgresSnapshotter(),
      redis: new RedisSnapshotter(),
      sqlite: new SqliteSnapshotter(),
    };
  }

  /** the database a request names (by its service or its owner) */
  database(ref: { project?: string; service: string }): DatabaseHandle {
    return findDatabase(this.deps.directory, this.deps.projectId(ref.project), ref.service);
  }

  get store(): SnapshotStore {
    return this.deps.store;
  }

  describe(db: DatabaseHandle): Promise<DatabaseInfo> {
    return Promise.resolve(this.deps.directory.describe(db));
  }

  snapshotterOf(db: DatabaseHandle): EngineSnapshotter {
    return this.snapshotters[db.config.engine];
  }

  async snapshot(ref: { project?: string; service: string; name?: string }): Promise<SnapshotInfo> {
    const db = this.database(ref);
    const name = ref.name ?? this.defaultName(db.service);
    return this.serially(db, async () => {
      this.refuseTaken(db, name);
      const engine = this.snapshotterOf(db);
      const file = `${name}.${engine.ext}`;
      const path = join(this.deps.store.folder(db.project, db.service), file);
      const written = await writeWhole(path, `The snapshot ${name} of ${db.service}`, (tmp) => engine.dump(db, tmp));
      const stored = await this.record(path, () =>
        this.deps.store.add({
          project: db.project,
          service: db.service,
          name,
          engine: db.config.engine,
          engineVersion: db.engineVersion,
          format: engine.format,
          file,
          sizeBytes: written.size,
          sha256: written.sha256,
          createdAt: this.now().getTime(),
          source: null,
        }),
      );
      this.changed(db, `snapshot ${name}`);
      return DatabaseSnapshots.info(stored);
    });
  }

  list(ref: { project?: string; service?: string }): SnapshotInfo[] {
    const project = this.deps.projectId(ref.project);
    const service = ref.service === undefined ? undefined : this.database({ project, service: ref.service }).service;
    return this.deps.store.list(project, service).map(DatabaseSnapshots.info);
  }

  /** replaces the database's data with a snapshot's; SNAPSHOT_CORRUPT (nothing touched) when its hash differs */
  async restore(ref: { project?: string; service: string; name: string }): Promise<DatabaseInfo> {
    const db = this.database(ref);
    await this.serially(db, async () => {
      const snapshot = this.snapshotOf(db, ref.name);
      await DatabaseSnapshots.verify(snapshot);
      await this.snapshotterOf(db).restore(db, snapshot.path);
      this.changed(db, `restored ${snapshot.name}`);
    });
    return this.describe(db);
  }

  async reset(ref: { project?: string; service: string }): Promise<DatabaseInfo> {
    const db = this.database(ref);
    await this.serially(db, async () => {
      await this.snapshotterOf(db).reset(db);
      this.changed(db, 'reset');
    });
    return this.describe(db);
  }

  publish(ref: { project?: string; service: string; name: string; published: boolean }): SnapshotInfo {
    const db = this.database(ref);
    this.snapshotOf(db, ref.name);
    const stored = this.deps.store.setPublished(db.project, db.service, ref.name, ref.published)!;
    this.changed(db, `${ref.published ? 'published' : 'unpublished'} ${ref.name}`);
    return DatabaseSnapshots.info(stored);
  }

  /** a recorded snapshot of `db`; BAD_REQUEST naming the ones there are */
  snapshotOf(db: DatabaseHandle, name: string): StoredSnapshot {
    const found = this.deps.store.get(db.project, db.service, name);
    if (found !== null) return found;
    const names = this.deps.store.list(db.project, db.service).map((s) => s.name);
    throw new DevMeshError(
      'BAD_REQUEST',
      `${db.service} has no snapshot '${name}': ` +
        (names.length === 0
          ? `take one with \`devmesh db snapshot ${db.service}\``
          : `its snapshots are ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`),
    );
  }

  /** CONFLICT when `db` already has a snapshot of that name */
  refuseTaken(db: DatabaseHandle, name: string): void {
    if (this.deps.store.get(db.project, db.service, name) !== null)
      throw new DevMeshError(
        'CONFLICT',
        `${db.service} already has a snapshot named '${name}': choose another name (--name) or leave it out ` +
          `for <service>-<date>-<time>`,
      );
  }

  /** records a snapshot whose file is whole; when the store cannot (full disk), the file goes too */
  async record(path: string, add: () => StoredSnapshot): Promise<StoredSnapshot> {
    try {
      return add();
    } catch (err) {
      await rm(path, { force: true });
      throw storageFailure.toError(err, 'The snapshot list', this.deps.store.where, dirname(path));
    }
  }

  changed(db: DatabaseHandle, what: string): void {
    this.deps.emit({ type: 'database.changed', ts: Date.now(), project: db.project, service: db.service, what });
  }

  /** runs `work` after whatever else runs on `db` */
  serially<T>(db: DatabaseHandle, work: () => Promise<T>): Promise<T> {
    const key = `${db.project}\u0000${db.service}`;
    const before = this.queues.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

  /** SNAPSHOT_CORRUPT when the file is missing or its bytes do not hash to what was recorded */
  static async verify(snapshot: StoredSnapshot): Promise<void> {
    let actual: { size: number; sha256: string };
    try {
      actual = await digest(snapshot.path);
    } catch (err) {
      throw new DevMeshError(
        'SNAPSHOT_CORRUPT',
        `the snapshot ${snapshot.name} of ${snapshot.service} cannot be read at ${snapshot.path} ` +
          `(${(err as Error).message}); nothing was restored`,
      );
    }
    if (actual.sha256 !== snapshot.sha256)
      throw new DevMeshError(
        'SNAPSHOT_CORRUPT',
        `the snapshot ${snapshot.name} of ${snapshot.service} is damaged: its sha256 is ${actual.sha256.slice(0, 12)}…, ` +
          `recorded ${snapshot.sha256.slice(0, 12)}… (${actual.size} of ${snapshot.sizeBytes} bytes); nothing was ` +
          'restored and the current data is unchanged',
      );
  }

  static info(s: StoredSnapshot): SnapshotInfo {
    const { path: _path, ...info } = s;
    return info;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** `<service>-<YYYYMMDD-HHMMSS>` in local time */
  private defaultName(service: string): string {
    const d = this.now();
    const two = (n: number) => String(n).padStart(2, '0');
    const date = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}`;
    const time = `${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
    return `${service}-${date}-${time}`.slice(0, 64);
  }
}
