// The SQLite store (better-sqlite3, WAL). Migrations are numbered, run in order, each in its own
// transaction, and tracked with PRAGMA user_version, so an old store upgrades in place.
import BetterSqlite3 from 'better-sqlite3';
import { DevMeshError } from '../../../shared/errors.js';
import { MIGRATIONS } from './migrations/index.js';

export type Sqlite = BetterSqlite3.Database;

export class Database {
  private constructor(readonly db: Sqlite) {}

  static open(path: string): Database {
    let db: Sqlite;
    try {
      db = new BetterSqlite3(path);
    } catch (err) {
      throw new DevMeshError('INTERNAL', `cannot open the DevMesh store at ${path}: ${(err as Error).message}; check the folder's permissions or set DEVMESH_HOME to another folder`);
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const store = new Database(db);
    store.migrate();
    return store;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > MIGRATIONS.length) {
      throw new DevMeshError('INTERNAL', `the DevMesh store is at schema ${current}, newer than this DevMesh knows (${MIGRATIONS.length}); upgrade DevMesh or point DEVMESH_HOME elsewhere`);
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
