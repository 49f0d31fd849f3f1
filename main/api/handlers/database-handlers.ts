// databases.*: the databases DevMesh runs for services, their snapshots, and teammates' published ones.
import { DevMeshError } from '../../../shared/devmesh-error.js';
import type { DatabaseManager } from '../../core/databases/database-manager.js';
import type { HandlersOf } from './handlers.js';

// Placeholder while issue 17's snapshot part is built: every call says so.
function notYet(): never {
  throw new DevMeshError('INTERNAL', 'databases are not available in this build of DevMesh');
}

export interface DatabaseHandlersDeps {
  databases: Pick<DatabaseManager, 'list'>;
}

export function databaseHandlers({ databases }: DatabaseHandlersDeps): HandlersOf<'databases'> {
  return {
    'databases.list': (input) => databases.list(input.project),
    'databases.reset': notYet,
    'databases.snapshot': notYet,
    'databases.restore': notYet,
    'databases.snapshots': () => [],
    'databases.publish': notYet,
    'databases.peerSnapshots': () => [],
    'databases.pull': notYet,
  };
}
