// What the snapshot code needs of the databases domain: the databases of an open project as DatabaseHandles,
// and how the faces see one (DatabaseInfo). The DatabaseManager implements it; until it is wired in, the core
// uses NO_DATABASES. `find` resolves a database the way users name it: by its service (`api-db`, `cache`)
// or by its owner (`api`).
import type { DatabaseInfo } from '../../../shared/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { DatabaseHandle } from './database-handle.js';

export interface DatabaseDirectory {
  /** the databases of the open project `project` (its id) */
  handles(project: string): DatabaseHandle[];
  /** what the faces see of one database, now */
  describe(db: DatabaseHandle): DatabaseInfo | Promise<DatabaseInfo>;
}

/** a directory without databases, until the databases domain is wired in */
export const NO_DATABASES: DatabaseDirectory = {
  handles: () => [],
  describe: (db) => {
    throw new DevMeshError('INTERNAL', `${db.service}: databases are not available in this build of DevMesh`);
  },
};

/** the database of `project` named by its service or by its owner; SERVICE_NOT_FOUND naming the choices */
export function findDatabase(directory: DatabaseDirectory, project: string, service: string): DatabaseHandle {
  const all = directory.handles(project);
  const found = all.find((db) => db.service === service) ?? all.find((db) => db.config.owner === service);
  if (found !== undefined) return found;
  const names = all.map((db) => (db.config.owner === null ? db.service : `${db.service} (${db.config.owner})`));
  throw new DevMeshError(
    'SERVICE_NOT_FOUND',
    `project ${project} has no database '${service}': ` +
      (names.length === 0
        ? 'none of its services has a `database:` block in devmesh.yaml'
        : `its databases are ${names.join(', ')}; name one by its service or its owner`),
  );
}
