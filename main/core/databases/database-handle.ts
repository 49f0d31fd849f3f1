// What snapshot, restore and reset need of one database DevMesh runs: its config, where its data lives, how
// to run the engine's own tools against it, and a way to stop and start its service around work that needs
// it stopped. The databases domain (DatabaseManager) hands these out; the snapshot code (one file per engine)
// works only through them, so the two parts meet here.
import type { DatabaseConfig } from '../config/project-config.js';

/** how to run an engine's program: as root, postgres refuses to run, so tools run as an unprivileged user */
export interface EngineTool {
  /** absolute path of the program (pg_dump, pg_restore, psql, redis-cli, …) */
  file: string;
  /** uid/gid to run it as (spawn options), null: as the daemon's own user */
  uid: number | null;
  gid: number | null;
}

export interface DatabaseHandle {
  readonly project: string;
  /** the service that runs the engine (`api-db`, `cache`) */
  readonly service: string;
  readonly config: DatabaseConfig;
  /** the engine's version found on this machine, null when not found */
  readonly engineVersion: string | null;
  /** the data folder (postgres, redis) or the database file (sqlite), under $DEVMESH_HOME */
  readonly dataPath: string;
  /** the engine's private port while it runs (postgres, redis); null while stopped, and for sqlite */
  port(): number | null;
  /** an engine program; throws DevMeshError ENGINE_MISSING naming the package to install when it is not found */
  tool(name: string): EngineTool;
  /** starts the database's service if it is not running and waits until it is healthy */
  ensureRunning(): Promise<void>;
  /** stops the database's service (and, first, the services that depend on it), runs fn, then starts again
   *  what was running before, also when fn throws */
  whileStopped<T>(fn: () => Promise<T>): Promise<T>;
  /** empties the data (a fresh initdb / empty file) without seeding; the service must be stopped */
  initialize(): Promise<void>;
  /** applies the `seed:` of the config, if any, to a running (postgres, redis) or present (sqlite) database */
  seed(): Promise<void>;
}
