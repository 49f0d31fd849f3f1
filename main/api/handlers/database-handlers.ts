// databases.*: the databases DevMesh runs for services, their snapshots, and teammates' published ones.
// `databases.list` is the databases domain's (DatabaseManager); the snapshot calls are DatabaseSnapshots'
// (main/core/databases/), below in snapshotHandlers.
import { DevMeshError } from '../../../shared/devmesh-error.js';
import type { DatabaseSnapshots } from '../../core/databases/database-snapshots.js';
import type { SnapshotPull } from '../../core/databases/snapshot-pull.js';
import type { HandlersOf } from './handlers.js';

export interface DatabaseHandlersDeps {
  /** snapshots, restore, reset, publishing; null in a build without the databases domain */
  snapshots: DatabaseSnapshots | null;
  /** teammates' published snapshots over the mesh */
  pull: SnapshotPull | null;
}

// Placeholder while issue 17's databases domain is built: every call says so.
function notYet(): never {
  throw new DevMeshError('INTERNAL', 'databases are not available in this build of DevMesh');
}

export function databaseHandlers(
  deps: DatabaseHandlersDeps = { snapshots: null, pull: null },
): HandlersOf<'databases'> {
  return {
    'databases.list': () => [],
    ...snapshotHandlers(deps),
  };
}

/** every databases.* call but `list` */
export function snapshotHandlers(deps: DatabaseHandlersDeps): Omit<HandlersOf<'databases'>, 'databases.list'> {
  const { snapshots, pull } = deps;
  if (snapshots === null || pull === null)
    return {
      'databases.reset': notYet,
      'databases.snapshot': notYet,
      'databases.restore': notYet,
      'databases.snapshots': () => [],
      'databases.publish': notYet,
      'databases.peerSnapshots': () => [],
      'databases.pull': notYet,
    };
  return {
    'databases.reset': (input) => snapshots.reset(input),
    'databases.snapshot': (input) => snapshots.snapshot(input),
    'databases.restore': (input) => snapshots.restore(input),
    'databases.snapshots': (input) => snapshots.list(input),
    'databases.publish': (input) => snapshots.publish(input),
    'databases.peerSnapshots': (input) => pull.peerSnapshots(input),
    'databases.pull': (input) => pull.pull(input),
  };
}
