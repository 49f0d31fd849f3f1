// What the databases domain asks of one engine (postgres, redis, sqlite) for one database: get its data
// folder ready before a start (the first start initializes and seeds it), say how to launch the engine,
// empty it, seed it, and find its programs.
import type { DatabaseConfig } from '../config/project-config.js';
import type { ServiceLaunch } from '../services/service-launch.js';
import type { EngineTool } from './database-handle.js';
import type { EngineLocator } from './engine-locator.js';
import type { EngineUser } from './engine-user.js';

export interface EngineRuntimeContext {
  project: string;
  /** the service that runs it (`api-db`, `cache`), or the owner for sqlite */
  service: string;
  config: DatabaseConfig;
  /** $DEVMESH_HOME/databases/<project>/<service> */
  dir: string;
  locator: EngineLocator;
  /** as root: who runs the engine's server programs (engine-user.ts); null: the daemon's user */
  user: EngineUser | null;
  /** a line in the service's log (system stream) */
  log: (line: string) => void;
  /** a snapshot seed (`seed: snapshot:<name>`): the file in the engine's own format, or null when none */
  snapshotFile: (name: string) => string | null;
}

export interface EngineRuntime {
  /** the data folder (postgres, redis) or the database file (sqlite) */
  readonly dataPath: string;
  /**
   * before each start: the data ready (a first start initializes and seeds it); how to launch, null: as written.
   * `signal`: the start was called off (a stop, a daemon going down): end what it runs, leave nothing running.
   */
  prepare(port: number, signal?: AbortSignal): Promise<ServiceLaunch | null>;
  /** a fresh, empty database (the service is stopped) */
  initialize(): Promise<void>;
  /** the config's seed into the running database (its private port; null for sqlite) */
  seed(port: number | null): Promise<void>;
  tool(name: string): EngineTool;
}

/** said in the database's log when a restore cut short by DevMesh's death is undone before a start */
export const RESTORE_UNDONE =
  'a restore was cut short (DevMesh stopped during it): the data from before it is back; restore the snapshot again ' +
  'to use it';

/** `api-db` of project `shop` → "shop/api-db", as messages name a database */
export function databaseLabel(c: Pick<EngineRuntimeContext, 'project' | 'service'>): string {
  return `${c.project}/${c.service}`;
}
