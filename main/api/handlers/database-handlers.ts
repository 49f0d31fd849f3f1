// databases.*: the databases DevMesh runs for services, their snapshots, and teammates' published ones.
import { DevMeshError } from '../../../shared/devmesh-error.js';
import type { HandlersOf } from './handlers.js';

// Placeholder while issue 17's databases domain is built: every call says so.
function notYet(): never {
  throw new DevMeshError('INTERNAL', 'databases are not available in this build of DevMesh');
}

export function databaseHandlers(): HandlersOf<'databases'> {
  return {
    'databases.list': () => [],
    'databases.reset': notYet,
    'databases.snapshot': notYet,
    'databases.restore': notYet,
    'databases.snapshots': () => [],
    'databases.publish': notYet,
    'databases.peerSnapshots': () => [],
    'databases.pull': notYet,
  };
}
