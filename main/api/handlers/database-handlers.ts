// databases.*: the databases DevMesh runs for services, their snapshots, and teammates' published ones.
// `databases.list` is the DatabaseManager's; the snapshot calls are DatabaseSnapshots' and SnapshotPull's
// (main/core/databases/).
import type { DatabaseManager } from '../../core/databases/database-manager.js';
import type { DatabaseSnapshots } from '../../core/databases/database-snapshots.js';
import type { SnapshotPull } from '../../core/databases/snapshot-pull.js';
import type { HandlersOf } from './handlers.js';

export interface DatabaseHandlersDeps {
  databases: Pick<DatabaseManager, 'list'>;
  /** snapshots, restore, reset, publishing */
  snapshots: DatabaseSnapshots;
  /** teammates' published snapshots over the peer tunnel */
  pull: SnapshotPull;
}

export function databaseHandlers({ databases, snapshots, pull }: DatabaseHandlersDeps): HandlersOf<'databases'> {
  return {
    'databases.list': (input) => databases.list(input.project),
    'databases.reset': (input) => snapshots.reset(input),
    'databases.snapshot': (input) => snapshots.snapshot(input),
    'databases.restore': (input) => snapshots.restore(input),
    'databases.snapshots': (input) => snapshots.list(input),
    'databases.publish': (input) => snapshots.publish(input),
    'databases.peerSnapshots': (input) => pull.peerSnapshots(input),
    'databases.pull': (input) => pull.pull(input),
  };
}
