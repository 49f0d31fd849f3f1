// A snapshot setup for tests: a temp $DEVMESH_HOME with the DevMesh store on disk, the snapshot store and
// DatabaseSnapshots over real engines (tests/helpers/test-database-engines.ts), and the events raised.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseInfo } from '../../../shared/database.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { DatabaseHandle } from '../../../main/core/databases/database-handle.js';
import { DatabaseSnapshots } from '../../../main/core/databases/database-snapshots.js';
import { SnapshotStore } from '../../../main/core/databases/snapshot-store.js';
import { Database } from '../../../main/core/store/database.js';
import { TestDatabaseEngines } from '../../helpers/test-database-engines.js';

export class SnapshotFixture {
  readonly home = mkdtempSync(join(tmpdir(), 'devmesh-dbsnap-'));
  readonly engines = new TestDatabaseEngines(this.home);
  readonly database = Database.open(join(this.home, 'devmesh.db'));
  readonly databases: DatabaseHandle[] = [];
  readonly events: DevMeshEvent[] = [];
  readonly store: SnapshotStore;
  readonly snapshots: DatabaseSnapshots;

  /** `snapshotsRoot`: where snapshot files go (default $DEVMESH_HOME/databases) */
  constructor(snapshotsRoot?: string) {
    this.store = new SnapshotStore(this.database, snapshotsRoot ?? join(this.home, 'databases'));
    this.snapshots = new DatabaseSnapshots({
      store: this.store,
      directory: {
        handles: (project) => this.databases.filter((db) => db.project === project),
        describe: (db) => SnapshotFixture.describe(db),
      },
      projectId: (ref) => ref ?? 'shop',
      emit: (e) => this.events.push(e),
    });
  }

  add<T extends DatabaseHandle>(db: T): T {
    this.databases.push(db);
    return db;
  }

  async dispose(): Promise<void> {
    await this.engines.stopAll();
    this.database.close();
    rmSync(this.home, { recursive: true, force: true });
  }

  /** what a test needs of DatabaseInfo (the real one is the DatabaseManager's) */
  static describe(db: DatabaseHandle): DatabaseInfo {
    return {
      project: db.project,
      service: db.service,
      owner: db.config.owner,
      engine: db.config.engine,
      range: null,
      name: db.config.name,
      engineVersion: db.engineVersion,
      binary: null,
      state: db.port() === null && db.config.engine !== 'sqlite' ? 'stopped' : 'healthy',
      port: db.port(),
      address: null,
      url: null,
      dataPath: db.dataPath,
      sizeBytes: null,
      problem: null,
      engineMissing: null,
      snapshots: 0,
    };
  }
}
