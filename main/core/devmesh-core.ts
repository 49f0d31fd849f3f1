// The composition root of the core: wires the store, the event bus, the log store, the process reaper and
// the project manager by hand. Both faces (the Electron main process and the headless daemon) create one
// DevMeshCore and dispose it on exit; disposing it stops every service and releases every resource.
import type { Logger } from 'pino';
import { Database } from './store/database.js';
import { EventBus } from './events/event-bus.js';
import { DevMeshHome } from './home/devmesh-home.js';
import { LogStore } from './store/log-store.js';
import { ServiceRegistry } from './store/service-registry.js';
import { ProjectManager } from './projects/project-manager.js';
import { ProcessReaper } from './services/process-reaper.js';
import { createLogger } from './logging/create-logger.js';

export interface DevMeshCoreOptions {
  home: DevMeshHome;
  version: string;
  logger?: Logger;
  /** projects to open at start (their roots); project open errors are logged, not fatal */
  projects?: string[];
}

export interface CoreDescription {
  version: string;
  pid: number;
  startedAt: number;
  home: string;
  node: string;
}

export class DevMeshCore {
  readonly startedAt = Date.now();
  private disposed = false;

  private constructor(
    readonly home: DevMeshHome,
    readonly version: string,
    readonly logger: Logger,
    readonly database: Database,
    readonly events: EventBus,
    readonly logs: LogStore,
    readonly registry: ServiceRegistry,
    readonly reaper: ProcessReaper,
    readonly projects: ProjectManager,
  ) {}

  static async open(options: DevMeshCoreOptions): Promise<DevMeshCore> {
    const home = options.home;
    home.ensure();
    const logger = options.logger ?? createLogger({ name: 'devmesh' });
    const database = Database.open(home.databasePath);
    const events = new EventBus();
    const logs = new LogStore(database, events);
    const registry = new ServiceRegistry(database);
    const reaper = ProcessReaper.start(logger.child({ domain: 'reaper' }));
    // Services left behind by a daemon that died without its reaper: stopped before anything starts.
    await registry.reconcile(logger.child({ domain: 'registry' }));
    const projects = new ProjectManager({ events, logs, registry, reaper, logger: logger.child({ domain: 'projects' }) });
    const core = new DevMeshCore(home, options.version, logger, database, events, logs, registry, reaper, projects);
    for (const root of options.projects ?? []) {
      try {
        await projects.open(root);
      } catch (err) {
        logger.error({ domain: 'projects', root, err: (err as Error).message }, 'could not open project');
        // The caller never gets the core: release what it holds (services of projects already open too).
        await core.dispose();
        throw err;
      }
    }
    return core;
  }

  describe(): CoreDescription {
    return { version: this.version, pid: process.pid, startedAt: this.startedAt, home: this.home.dir, node: process.version };
  }

  /** Stops every service (each with its stop signal and timeout), then closes the store. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.projects.dispose();
    this.logs.dispose();
    this.reaper.dispose();
    this.database.close();
  }
}
