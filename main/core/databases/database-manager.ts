// The databases of the open projects: prepares a database service before each start (the engine located,
// the data folder bootstrapped on the first start, the launch command), gives services their DATABASE_URL /
// REDIS_URL, hands out DatabaseHandles to the snapshot code, and describes each database for the faces.
// The engine's process itself is an ordinary supervised service (ServiceRunner with the `prepare` hook).
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseInfo } from '../../../shared/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { DatabaseEngineName, ServiceConfig } from '../config/project-config.js';
import type { LogStore } from '../logs/log-store.js';
import type { Project } from '../projects/project.js';
import type { ProjectManager } from '../projects/project-manager.js';
import type { ServiceLaunch } from '../services/service-launch.js';
import type { ServiceEngine } from '../services/service-runner.js';
import type { SupervisedServices } from '../services/service-supervisor.js';
import { ensureCopyRecord } from './copy-data-record.js';
import { databaseEnv } from './database-env.js';
import { databaseUrl } from './database-url.js';
import type { EngineLocator } from './engine-locator.js';
import type { EngineRuntime, EngineRuntimeContext } from './engine-runtime.js';
import type { EngineUser } from './engine-user.js';
import { ManagedDatabase } from './managed-database.js';
import type { DatabaseDirectory } from './database-directory.js';
import type { DatabaseHandle } from './database-handle.js';
import { PostgresRuntime } from './postgres-runtime.js';
import { RedisRuntime } from './redis-runtime.js';
import { bundledSqliteVersion, SqliteRuntime } from './sqlite-runtime.js';

export interface StableAddress {
  host: string;
  port: number;
}

export interface DatabaseManagerDeps {
  /** $DEVMESH_HOME/databases: one folder per project, one per database service in it */
  dir: string;
  locator: EngineLocator;
  /** the open projects (late-bound: the projects are built with this manager's hooks) */
  projects: () => ProjectManager;
  logs: LogStore;
  /** who runs postgres when the daemon is root (engine-user.ts) */
  user: EngineUser | null;
  /**
   * SEAM for the TCP part: the stable address DevMesh forwards to a TCP service (`127.0.0.1:<tcp_port>`). Until
   * that part is merged it is absent, and clients get the engine's private port (changes if it restarts on
   * another port).
   */
  stableAddress?: (project: string, service: string) => StableAddress | null;
  /**
   * The stable port for the engine to listen on itself (TcpRoutes.lend), so local clients pay no forwarding hop;
   * null or absent: the engine listens on its private port and DevMesh forwards.
   */
  lendAddress?: (project: string, service: string) => Promise<number | null>;
  /** SEAM for the snapshot part: a `seed: snapshot:<name>` as a file in the engine's own format, or null */
  snapshotFile?: (project: string, service: string, name: string) => string | null;
  /** SEAM for the snapshot part: how many snapshots a database has */
  snapshotCount?: (project: string, service: string) => number;
}

/** Also the DatabaseDirectory the snapshot part works through. */
export class DatabaseManager implements DatabaseDirectory {
  constructor(private readonly deps: DatabaseManagerDeps) {}

  /** a database service's default `version:` (ProjectConfigLoaderDeps.engineVersion) */
  engineVersion(engine: DatabaseEngineName): string | null {
    return engine === 'sqlite' ? bundledSqliteVersion() : this.deps.locator.version(engine);
  }

  /** ServiceRunnerDeps.engine: a database service's engine as found now (its version, or what is missing) */
  engine(project: string, config: ServiceConfig): ServiceEngine {
    const engine = config.database?.engine;
    if (engine === undefined) return { version: null, missing: null };
    if (engine === 'sqlite') return { version: bundledSqliteVersion(), missing: null };
    const version = this.deps.locator.version(engine);
    const missing = version === null ? this.deps.locator.missing(engine, `${project}/${config.name}`) : null;
    return { version, missing };
  }

  /** ServiceRunnerDeps.prepare: a database service's data made ready and its launch; null for other services */
  async prepare(
    project: string,
    config: ServiceConfig,
    port: number,
    signal?: AbortSignal,
  ): Promise<ServiceLaunch | null> {
    if (config.database === null) return null;
    this.recordCopy(project, config.name);
    const lent =
      config.database.engine === 'sqlite' ? null : ((await this.deps.lendAddress?.(project, config.name)) ?? null);
    const launch = await this.runtime(project, config).prepare(lent ?? port, signal);
    return launch !== null && lent !== null ? { ...launch, port: lent } : launch;
  }

  /** ServiceSupervisorDeps.databaseEnv */
  env(project: string, service: ServiceConfig, services: SupervisedServices): Record<string, string> {
    return databaseEnv({
      service,
      services,
      address: (def, privatePort) => this.address(project, def.name, privatePort),
      sqlitePath: (def) => this.runtime(project, def).dataPath,
    });
  }

  /** The database of `service` (its database service, `api-db`, or its owner, `api`) in the project. */
  handle(ref: { project?: string; service: string }): ManagedDatabase {
    const project = this.deps.projects().resolve(ref.project);
    const def = this.definitionOf(project, ref.service);
    const runtime = this.runtime(project.id, def);
    const engine = def.database!.engine;
    const version = engine === 'sqlite' ? bundledSqliteVersion() : (this.deps.locator.find(engine)?.version ?? null);
    return new ManagedDatabase(project.id, def.name, def.database!, version, runtime, project.supervisor);
  }

  /** DatabaseDirectory: the databases of the open project `project` */
  handles(project: string): ManagedDatabase[] {
    const p = this.deps.projects().resolve(project);
    const names = p.supervisor.names().filter((n) => p.supervisor.get(n).definition.database !== null);
    return names.map((service) => this.handle({ project: p.id, service }));
  }

  /** DatabaseDirectory: what the faces see of one database, now */
  describe(db: DatabaseHandle): DatabaseInfo {
    return this.info(this.deps.projects().resolve(db.project), db.service);
  }

  /** The databases of one project, or of every open one. */
  list(projectRef?: string): DatabaseInfo[] {
    const projects = projectRef ? [this.deps.projects().resolve(projectRef)] : this.deps.projects().all();
    return projects.flatMap((p) =>
      p.supervisor
        .names()
        .filter((n) => p.supervisor.get(n).definition.database !== null)
        .map((n) => this.info(p, n)),
    );
  }

  info(project: Project, service: string): DatabaseInfo {
    const runner = project.supervisor.get(service);
    const def = runner.definition;
    const database = def.database!;
    const runtime = this.runtime(project.id, def);
    const base = {
      project: project.id,
      service,
      owner: database.owner,
      engine: database.engine,
      range: database.range,
      name: database.name,
      state: runner.current,
      dataPath: runtime.dataPath,
      sizeBytes: DatabaseManager.sizeOf(runtime.dataPath),
      snapshots: this.deps.snapshotCount?.(project.id, service) ?? 0,
    };
    if (database.engine === 'sqlite') {
      const url = databaseUrl('sqlite', { path: runtime.dataPath });
      const problem = runner.current === 'crashed' ? runner.info().reason : null;
      const sqlite = { engineVersion: bundledSqliteVersion(), binary: null, engineMissing: null };
      return { ...base, ...sqlite, port: null, address: null, url, problem };
    }
    const { locator } = this.deps;
    const found = locator.find(database.engine, database.range) ?? locator.find(database.engine);
    const running = runner.current === 'healthy' || runner.current === 'unhealthy' || runner.current === 'starting';
    const port = running ? runner.info().port : null;
    const where = this.address(project.id, service, port);
    const problem =
      locator.problem(database.engine, database.range, `${project.id}/${service}`) ??
      (runner.current === 'crashed' ? runner.info().reason : null);
    return {
      ...base,
      engineVersion: found?.version ?? null,
      binary: found?.binary ?? null,
      port,
      address: where ? `${where.host}:${where.port}` : null,
      url: where ? databaseUrl(database.engine, { ...where, name: database.name }) : null,
      problem,
      engineMissing: found === null ? locator.missing(database.engine, `${project.id}/${service}`) : null,
    };
  }

  /** A worktree copy's folder says which worktree it is for, so it can go once that worktree has (sweep). */
  private recordCopy(projectId: string, service: string): void {
    const all = this.deps.projects().all();
    const project = all.find((p) => p.id === projectId);
    const copy = project?.worktree ?? null;
    const main = copy === null ? undefined : all.find((p) => p.id === copy.of);
    if (copy === null || main === undefined) return;
    const { of, label, branch } = copy;
    try {
      ensureCopyRecord(join(this.deps.dir, projectId), { of, label, branch, root: project!.root, mainRoot: main.root });
    } catch (err) {
      const why = `could not note which worktree its databases are for (${(err as Error).message})`;
      this.deps.logs.append(projectId, service, 'system', `${why}: they stay when the worktree is removed`);
    }
  }

  private address(project: string, service: string, privatePort: number | null): StableAddress | null {
    const stable = this.deps.stableAddress?.(project, service) ?? null;
    if (stable) return stable;
    return privatePort === null ? null : { host: '127.0.0.1', port: privatePort };
  }

  private definitionOf(project: Project, service: string): ServiceConfig {
    const names = project.supervisor.names();
    for (const name of [service, `${service}-db`]) {
      if (!names.includes(name)) continue;
      const def = project.supervisor.get(name).definition;
      if (def.database !== null) return def;
    }
    const withDatabases = names.filter((n) => project.supervisor.get(n).definition.database !== null);
    throw new DevMeshError(
      'SERVICE_NOT_FOUND',
      `no database for '${service}' in project ${project.id}; its databases: ${withDatabases.join(', ') || '(none)'}` +
        ` (a service gets one with a database: block in devmesh.yaml)`,
    );
  }

  private runtime(project: string, def: ServiceConfig): EngineRuntime {
    const database = def.database!;
    const { logs } = this.deps;
    const context: EngineRuntimeContext = {
      project,
      service: def.name,
      config: database,
      dir: join(this.deps.dir, project, def.name),
      locator: this.deps.locator,
      user: this.deps.user,
      log: (line) => logs.append(project, def.name, 'system', line),
      snapshotFile: (name) => this.deps.snapshotFile?.(project, def.name, name) ?? null,
    };
    if (database.engine === 'postgres') return new PostgresRuntime(context);
    if (database.engine === 'redis') return new RedisRuntime(context);
    return new SqliteRuntime(context);
  }

  /** bytes on disk of a file or folder; null when it does not exist (yet) */
  static sizeOf(path: string): number | null {
    let total = 0;
    const walk = (at: string): void => {
      const stat = lstatSync(at);
      total += stat.size;
      if (stat.isDirectory()) for (const entry of readdirSync(at)) walk(join(at, entry));
    };
    try {
      walk(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && total === 0) return null;
      if (code !== 'ENOENT') return null; // unreadable: unknown rather than wrong
    }
    return total;
  }
}
