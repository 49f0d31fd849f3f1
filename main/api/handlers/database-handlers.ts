// databases.*: the databases DevMesh runs for services, their snapshots, and teammates' published ones.
// `databases.list` is the DatabaseManager's; the snapshot calls are DatabaseSnapshots' and SnapshotPull's
// (main/core/databases/).
import type { DatabaseManager } from '../../core/databases/database-manager.js';
import type { SnapshotsModule } from '../../core/databases/snapshots-module.js';
import type { HandlersOf } from './handlers.js';

export interface DatabaseHandlersDeps {
  databases: Pick<DatabaseManager, 'list'>;
  /** snapshots, restore, reset and publishing (`.snapshots`); teammates' snapshots over the tunnel (`.pull`) */
  snapshots: Pick<SnapshotsModule, 'snapshots' | 'pull'>;
}

// Read at each call, not when the handlers are built: a face built on part of a core (the desktop app's
// tests) gets every other method.
export function databaseHandlers({ databases, snapshots: s }: DatabaseHandlersDeps): HandlersOf<'databases'> {
  return {
    'databases.list': (input) => databases.list(input.project),
    'databases.reset': (input) => s.snapshots.reset(input),
    'databases.snapshot': (input) => s.snapshots.snapshot(input),
    'databases.restore': (input) => s.snapshots.restore(input),
    'databases.snapshots': (input) => s.snapshots.list(input),
    'databases.publish': (input) => s.snapshots.publish(input),
    'databases.peerSnapshots': (input) => s.pull.peerSnapshots(input),
    'databases.pull': (input) => s.pull.pull(input),
  };
}
