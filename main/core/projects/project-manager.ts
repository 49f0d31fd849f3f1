// The open projects. Opens a folder's devmesh.yaml (or a given file), resolves the project a request
// names (by id or by path; omitted: the only open one), and closes projects, stopping their services.
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import type { ProjectInfo, WorktreeCopy } from '../../../shared/service.js';
import { CONFIG_FILE_NAME, type DatabaseEngineName, type ServiceConfig } from '../config/project-config.js';
import { ProjectConfigLoader } from '../config/project-config-loader.js';
import type { EventBus } from '../events/event-bus.js';
import { PortAllocator } from '../services/port-allocator.js';
import { ProcessInspector } from '../services/process-inspector.js';
import type { ProcessReaper } from '../services/process-reaper.js';
import type { ServiceCaBundle } from '../services/service-ca-bundle.js';
import {
  ServiceSupervisor,
  type ServiceSupervisorDeps,
  type SupervisedServices,
  type SupervisorMeshView,
} from '../services/service-supervisor.js';
import type { ServiceLaunch } from '../services/service-launch.js';
import type { ServiceEngine } from '../services/service-runner.js';
import type { LogStore } from '../logs/log-store.js';
import type { ServiceRegistry } from '../services/service-registry.js';
import { setTimeout as delay } from 'node:timers/promises';
import { Project } from './project.js';
import { ProjectIdentityResolver } from './project-identity.js';
import { copyConfig } from './worktree-copy.js';

export interface ProjectManagerDeps {
  events: EventBus;
  logs: LogStore;
  registry: ServiceRegistry;
  reaper: ProcessReaper;
  logger: Logger;
  loader?: ProjectConfigLoader;
  inspector?: ProcessInspector;
  /** watch devmesh.yaml for changes (default true) */
  watch?: boolean;
  /** environment every service gets */
  serviceEnv?: Record<string, string>;
  /** the environment services start from (ServiceRunnerDeps.baseEnv); default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** the local CA services trust (NODE_EXTRA_CA_CERTS), bundled with the user's own */
  serviceCa?: ServiceCaBundle;
  /** the proxy's address and the teammates' services, for dependency URLs and starts */
  mesh?: SupervisorMeshView;
  /** who a project is across machines (default: git in baseEnv) */
  identities?: ProjectIdentityResolver;
  /** the databases domain: a database service's start (bootstrap, engine command), DATABASE_URL / REDIS_URL */
  databases?: ProjectDatabases;
}

/** What the projects' services need of the databases domain (DatabaseManager implements it). */
export interface ProjectDatabases {
  /** ServiceRunnerDeps.prepare, for a service of `project` */
  prepare(project: string, config: ServiceConfig, port: number, signal?: AbortSignal): Promise<ServiceLaunch | null>;
  /** ServiceSupervisorDeps.databaseEnv, for a service of `project` */
  env(project: string, service: ServiceConfig, services: SupervisedServices): Record<string, string>;
  /** the version of an engine installed here (ProjectConfigLoaderDeps.engineVersion) */
  engineVersion(engine: DatabaseEngineName): string | null;
  /** ServiceRunnerDeps.engine: a database service's engine as found now, for a service of `project` */
  engine(project: string, config: ServiceConfig): ServiceEngine;
}

/** how long an open waits for git to identify the project before it goes on without (see `open`) */
const IDENTITY_BUDGET_MS = 300;

export class ProjectManager {
  private readonly projects = new Map<string, Project>();
  private readonly loader: ProjectConfigLoader;
  private readonly inspector: ProcessInspector;
  private readonly ports: PortAllocator;
  private readonly identities: ProjectIdentityResolver;
  private opening: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ProjectManagerDeps) {
    this.loader = deps.loader ?? new ProjectConfigLoader();
    this.inspector = deps.inspector ?? new ProcessInspector();
    this.ports = new PortAllocator(this.inspector);
    this.identities = deps.identities ?? new ProjectIdentityResolver({ env: deps.baseEnv ?? process.env });
  }

  list(): ProjectInfo[] {
    return [...this.projects.values()].map((p) => p.info());
  }

  /** The open projects themselves, for the pieces that route to their services. */
  all(): Project[] {
    return [...this.projects.values()];
  }

  /** The open projects teammates may hear of: the main checkouts, never a worktree's copy. */
  shared(): Project[] {
    return this.all().filter((p) => p.worktree === null);
  }

  /**
   * Opens the project at `root` (a folder holding devmesh.yaml, or the file itself); idempotent. With `copy`,
   * the folder is a worktree of project `copy.of` and opens as its copy (worktree-copy.ts).
   */
  open(root: string, copy?: WorktreeCopy): Promise<ProjectInfo> {
    // Opens are serialized so two requests for one folder cannot both create it.
    const next = this.opening.then(() => this.openNow(root, copy ?? null));
    this.opening = next.catch(() => undefined);
    return next;
  }

  /** Stops the project's services and closes it; a main checkout's worktree copies close first. */
  async close(ref: string): Promise<string> {
    const project = this.resolve(ref);
    if (project.worktree === null) {
      for (const copy of this.all().filter((p) => p.worktree?.of === project.id)) {
        if (this.projects.get(copy.id) === copy) await this.close(copy.id); // not closed meanwhile
      }
    }
    this.projects.delete(project.id);
    await project.dispose();
    this.deps.events.emit({ type: 'project.closed', ts: Date.now(), projectId: project.id });
    return project.id;
  }

  /**
   * The project a request names: by id, by root, or by a path inside it; omitted: the only open one. A
   * worktree's copy is named by its id only: a path inside the worktree, and an omitted reference, still
   * mean the main checkouts (the agent working there keeps its project, its locks and its tasks).
   */
  resolve(ref?: string): Project {
    if (ref === undefined || ref === '') {
      const main = this.shared();
      if (main.length === 1) return main[0]!;
      if (main.length === 0) {
        throw new DevMeshError(
          'PROJECT_NOT_FOUND',
          'no project is open: open one with `devmesh open DIR` (or `devmesh up --project DIR`)',
        );
      }
      throw new DevMeshError(
        'PROJECT_AMBIGUOUS',
        `several projects are open (${main.map((p) => p.id).join(', ')}): name one with --project`,
      );
    }
    const byId = this.projects.get(ref);
    if (byId) return byId;
    const path = resolve(ref);
    const inside = this.shared()
      .filter((p) => path === p.root || path === p.configPath || path.startsWith(p.root + sep))
      .sort((a, b) => b.root.length - a.root.length);
    if (inside[0]) return inside[0];
    throw new DevMeshError(
      'PROJECT_NOT_FOUND',
      `no open project named '${ref}'; open: ${[...this.projects.keys()].join(', ') || '(none)'}`,
    );
  }

  async dispose(): Promise<void> {
    await this.opening;
    const all = [...this.projects.values()];
    this.projects.clear();
    await Promise.all(all.map((p) => p.dispose()));
  }

  private async openNow(root: string, copy: WorktreeCopy | null): Promise<ProjectInfo> {
    const configPath = ProjectManager.configPathOf(root);
    const existing = [...this.projects.values()].find((p) => p.configPath === configPath);
    if (existing) return existing.info();
    const loaded = this.loader.load(configPath);
    const config = copy ? copyConfig(loaded, copy) : loaded;
    this.checkNames(config.id, configPath, copy);
    const clash = this.projects.get(config.id);
    if (clash) {
      throw new DevMeshError(
        copy ? 'CONFLICT' : 'CONFIG_INVALID',
        copy
          ? `the copy '${config.id}' is already open from ${clash.root}; close it first (devmesh close ${config.id})`
          : `a project named '${config.id}' is already open from ${clash.root}; set a different \`project:\` in ${configPath} to open both`,
      );
    }
    // git answers beside the services' start, not before it; identify never rejects (local-only instead). A
    // worktree's copy is never identified: it is local only, no teammate shares its locks or tasks.
    const started = performance.now();
    const identity = copy ? null : this.identities.identify(config.root);
    const logger = this.deps.logger.child({ project: config.id });
    const supervisor = new ServiceSupervisor({
      project: config.id,
      projectRoot: config.root,
      logs: this.deps.logs,
      events: this.deps.events,
      registry: this.deps.registry,
      reaper: this.deps.reaper,
      ports: this.ports,
      inspector: this.inspector,
      logger,
      extraEnv: this.deps.serviceEnv ?? {},
      ...(this.deps.baseEnv ? { baseEnv: this.deps.baseEnv } : {}),
      ...(this.deps.serviceCa ? { serviceCa: this.deps.serviceCa } : {}),
      ...(this.deps.mesh ? { mesh: this.deps.mesh } : {}),
      ...this.databaseHooks(config.id),
    });
    const project = new Project(config, supervisor, this.loader, this.deps.events, logger, copy);
    this.projects.set(config.id, project);
    await project.activate({ watch: this.deps.watch ?? true });
    if (identity === null) {
      this.deps.events.emit({ type: 'project.opened', ts: Date.now(), project: project.info() });
      return project.info();
    }
    // A small repository answers within the budget, so the opened project already says who it is. A huge one
    // (git walks its whole history for the root commit) never holds the open: its identity follows in
    // `project.identified`, and the mesh shares its locks and tasks from then on.
    const identified = identity.then((found) => {
      if (this.projects.get(config.id) !== project) return;
      project.identity = found;
      const { key, localOnly, reason } = found;
      const ms = Math.round(performance.now() - started);
      logger.info({ key, localOnly, ...(reason ? { reason } : {}), ms }, 'project identity');
    });
    const inTime = await Promise.race([
      identified.then(() => true),
      delay(IDENTITY_BUDGET_MS, undefined, { ref: false }).then(() => false),
    ]);
    this.deps.events.emit({ type: 'project.opened', ts: Date.now(), project: project.info() });
    if (!inTime) {
      void identified.then(() => {
        if (this.projects.get(config.id) !== project || project.identity === null) return;
        this.deps.events.emit({ type: 'project.identified', ts: Date.now(), project: project.info() });
      });
    }
    return project.info();
  }

  private databaseHooks(project: string): Pick<ServiceSupervisorDeps, 'prepare' | 'databaseEnv' | 'engine'> {
    const databases = this.deps.databases;
    if (!databases) return {};
    return {
      prepare: (config, port, signal) => databases.prepare(project, config, port, signal),
      databaseEnv: (service, services) => databases.env(project, service, services),
      engine: (config) => databases.engine(project, config),
    };
  }

  /**
   * `<service>.<label>.localhost` and `<service>.<project>.localhost` share one namespace: a copy's label may
   * not be an open project's id nor another copy's label, and a project may not take a copy's label.
   */
  private checkNames(id: string, configPath: string, copy: WorktreeCopy | null): void {
    const name = copy ? copy.label : id;
    const project = copy ? this.projects.get(copy.label) : undefined;
    const other = this.all().find((p) => p.worktree?.label === name);
    if (project) {
      throw new DevMeshError(
        'CONFLICT',
        `the branch "${copy!.branch}" would name its services <service>.${name}.localhost, as project '${name}' ` +
          `(${project.root}) already names its own: rename the branch, or close that project first`,
      );
    }
    if (other) {
      const by = copy ? `branch "${copy.branch}"` : `project '${id}' (${configPath})`;
      throw new DevMeshError(
        'CONFLICT',
        `${by} would name services <service>.${name}.localhost, as the open copy '${other.id}' of branch ` +
          `"${other.worktree!.branch}" (${other.root}) already does: ` +
          (copy ? 'rename the branch, or close that copy first' : `close that copy first (devmesh close ${other.id})`),
      );
    }
  }

  private static configPathOf(root: string): string {
    const abs = resolve(root);
    if (existsSync(abs) && statSync(abs).isFile()) return abs;
    if (basename(abs).endsWith('.yaml') || basename(abs).endsWith('.yml')) return abs;
    return join(abs, CONFIG_FILE_NAME);
  }
}
