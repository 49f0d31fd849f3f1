// A project with databases run for real: a temp $DEVMESH_HOME, the store, logs and registry on disk, the
// ProjectManager wired to the databases domain as the core wires it, and the machine's own postgres and
// redis. `close` stops every engine the test started (the project's services stop with it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import type { ProjectInfo } from '../../../shared/service.js';
import { DatabasesModule } from '../../../main/core/databases/databases-module.js';
import type { EngineLocatorDeps } from '../../../main/core/databases/engine-locator.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { LogStore } from '../../../main/core/logs/log-store.js';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import { ProjectManager } from '../../../main/core/projects/project-manager.js';
import { ProcessReaper } from '../../../main/core/services/process-reaper.js';
import { ServiceRegistry } from '../../../main/core/services/service-registry.js';
import { Database } from '../../../main/core/store/database.js';

export class DatabaseLab {
  readonly dir: string;
  readonly projectDir: string;
  readonly home: DevMeshHome;
  readonly database: Database;
  readonly events = new EventBus();
  readonly logs: LogStore;
  readonly registry: ServiceRegistry;
  readonly reaper: ProcessReaper;
  readonly databases: DatabasesModule;
  readonly projects: ProjectManager;

  /** `deepHome`: $DEVMESH_HOME far down a long path (longer than a unix socket's path may be) */
  constructor(options: { locator?: EngineLocatorDeps; env?: NodeJS.ProcessEnv; deepHome?: boolean } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'devmesh-db-'));
    this.projectDir = join(this.dir, 'shop');
    mkdirSync(this.projectDir);
    const deep = options.deepHome ? ['a-rather-long-folder-name-for-a-home', 'and-another-one-below-it-as-well'] : [];
    this.home = new DevMeshHome(join(this.dir, ...deep, 'home'));
    this.home.ensure();
    this.database = Database.open(this.home.databasePath);
    const logger = pino({ level: 'silent' });
    this.logs = new LogStore(this.database, this.events, { flushIntervalMs: 20 });
    this.registry = new ServiceRegistry(this.database, {});
    this.reaper = ProcessReaper.start(logger);
    this.databases = new DatabasesModule({
      home: this.home,
      logs: this.logs,
      database: this.database,
      events: this.events,
      logger,
      projects: () => this.projects,
      peers: () => [],
      dialer: () => null,
      baseEnv: options.env,
      locator: options.locator,
    });
    const manager = this.databases.manager;
    this.projects = new ProjectManager({
      events: this.events,
      logs: this.logs,
      registry: this.registry,
      reaper: this.reaper,
      logger,
      watch: false,
      baseEnv: options.env,
      databases: manager,
      loader: new ProjectConfigLoader({ engineVersion: (e) => manager.engineVersion(e) }),
    });
  }

  write(rel: string, text: string): string {
    const file = join(this.projectDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  open(yaml: string): Promise<ProjectInfo> {
    this.write('devmesh.yaml', yaml);
    return this.projects.open(this.projectDir);
  }

  /** the service's log lines (system, stdout, stderr), oldest first */
  lines(service: string): string[] {
    return this.logs.tail('shop', service, 2000).map((l) => l.text);
  }

  async close(): Promise<void> {
    this.databases.dispose();
    await this.projects.dispose();
    this.logs.dispose();
    this.registry.dispose();
    this.reaper.dispose();
    this.database.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
