// The SQLite store (better-sqlite3, WAL). Migrations are numbered, run in order, each in its own
// transaction, and tracked with PRAGMA user_version, so an old store upgrades in place. A damaged file
// (not a database, truncated, malformed) is refused with STORE_CORRUPT naming it and `devmesh doctor`,
// never a raw SqliteError; a new file is created 0600 (SQLite gives its -wal and -shm the same mode).
import BetterSqlite3 from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { DevMeshError } from '../../../shared/errors.js';
import { MIGRATIONS } from './migrations/index.js';

export type Sqlite = BetterSqlite3.Database;

/**
 * The page cache of one connection, in KiB: SQLite's own default. better-sqlite3 builds SQLite with 16 MB
 * (SQLITE_DEFAULT_CACHE_SIZE=-16000), which a store of a million log lines fills, in the daemon's RSS, for
 * no speed: FTS5 searches and batched inserts measured the same with 2 MB (bench/logs.mjs, this machine).
 */
export const CACHE_KIB = 2000;

export interface DatabaseOpenOptions {
  /**
   * The store is known to have held data (StoreMarker): a store without tables is refused rather than
   * migrated into a new, empty one. `why` says how it is known, for the message.
   */
  requireSchema?: { why: string };
}

export class Database {
  private constructor(
    readonly db: Sqlite,
    readonly path: string,
  ) {}

  static open(path: string, options: DatabaseOpenOptions = {}): Database {
    Database.createPrivate(path);
    let db: Sqlite;
    try {
      db = new BetterSqlite3(path);
    } catch (err) {
      throw new DevMeshError(
        'INTERNAL',
        `cannot open the DevMesh store at ${path}: ${(err as Error).message}; check the folder's permissions or set DEVMESH_HOME to another folder`,
      );
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma(`cache_size = -${CACHE_KIB}`);
      // Reads page 1 and the schema: a truncated file is caught here (its header counts more pages than it has).
      const count = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      const tables = count.n;
      if (tables === 0 && options.requireSchema) throw Database.emptied(path, options.requireSchema.why);
      const store = new Database(db, path);
      store.migrate();
      return store;
    } catch (err) {
      db.close();
      throw Database.damaged(path, err);
    }
  }

  /** Is this error SQLite saying the file is damaged (not a database, malformed, truncated)? */
  static isCorruption(err: unknown): boolean {
    const code = String((err as { code?: unknown } | null)?.code ?? '');
    return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  }

  /** A damaged store as users read it: which file, what SQLite said, and what to do. */
  static damaged(path: string, err: unknown): unknown {
    if (!Database.isCorruption(err)) return err;
    return new DevMeshError(
      'STORE_CORRUPT',
      `the DevMesh store ${path} is damaged (${(err as Error).message}). DevMesh did not start and left the file ` +
        'as it is. Run `devmesh doctor`: it checks the store, keeps the damaged file aside and restores the newest ' +
        "of DevMesh's backups.",
    );
  }

  private static emptied(path: string, why: string): DevMeshError {
    return new DevMeshError(
      'STORE_CORRUPT',
      `the DevMesh store ${path} has no tables, but it held data (${why}): it was emptied or replaced. ` +
        'DevMesh did not start, so nothing was overwritten. Run `devmesh doctor` to restore the newest of ' +
        "DevMesh's backups (or `devmesh doctor --fresh` to start with an empty store on purpose).",
    );
  }

  /** Creates a missing store file readable by its owner only; never opens an existing one (see HomeLock). */
  private static createPrivate(path: string): void {
    if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // EEXIST: there already; others (a read-only folder…) surface from SQLite's own open below
      if (code !== 'EEXIST' && code !== 'EACCES' && code !== 'EROFS' && code !== 'ENOENT') throw err;
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > MIGRATIONS.length) {
      throw new DevMeshError(
        'INTERNAL',
        `the DevMesh store is at schema ${current}, newer than this DevMesh knows (${MIGRATIONS.length}); upgrade DevMesh or point DEVMESH_HOME elsewhere`,
      );
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      const migration = MIGRATIONS[version - 1]!;
      this.db.transaction(() => {
        migration.up(this.db);
        this.db.pragma(`user_version = ${version}`);
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
