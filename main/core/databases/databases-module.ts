// The databases domain as the core composes it: the engine locator and the DatabaseManager. Built before the
// projects (their services are prepared and given DATABASE_URL by it) and bound to them late. Owns no
// process: each engine runs as a service of its project, stopped with it.
import { join } from 'node:path';
import type { DevMeshHome } from '../home/devmesh-home.js';
import type { LogStore } from '../logs/log-store.js';
import type { ProjectManager } from '../projects/project-manager.js';
import { DatabaseManager, type DatabaseManagerDeps } from './database-manager.js';
import { EngineLocator, type EngineLocatorDeps } from './engine-locator.js';
import { engineUser } from './engine-user.js';

export interface DatabasesModuleDeps {
  home: DevMeshHome;
  logs: LogStore;
  projects: () => ProjectManager;
  /** the environment engines are looked up in (the daemon's, or the desktop's login shell) */
  baseEnv?: NodeJS.ProcessEnv;
  /** tests point the locator at their own folders */
  locator?: EngineLocatorDeps;
  /** the seams the TCP and snapshot parts fill (DatabaseManagerDeps) */
  seams?: Pick<DatabaseManagerDeps, 'stableAddress' | 'snapshotFile' | 'snapshotCount'>;
}

export class DatabasesModule {
  readonly locator: EngineLocator;
  readonly manager: DatabaseManager;

  constructor(deps: DatabasesModuleDeps) {
    this.locator = new EngineLocator({ path: deps.baseEnv?.PATH, ...deps.locator });
    this.manager = new DatabaseManager({
      dir: join(deps.home.dir, 'databases'),
      locator: this.locator,
      projects: deps.projects,
      logs: deps.logs,
      user: engineUser(),
      ...deps.seams,
    });
  }
}
