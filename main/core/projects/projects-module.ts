// The open projects: the ProjectManager, with what its services need from the rest (the proxy's address
// for their dependencies, a teammate serving one). Disposing it stops every service.
import type { Logger } from 'pino';
import type { AsyncDisposable } from '../base/disposable.js';
import type { ListeningPorts } from '../proxy/listening-ports.js';
import { proxyBaseUrl } from '../services/dependency-address.js';
import type { ServicesModule } from '../services/services-module.js';
import type { StoreModule } from '../store/store-module.js';
import type { PeerServing } from './peer-serving-port.js';
import { ProjectManager, type ProjectDatabases } from './project-manager.js';
import { ProjectConfigLoader } from '../config/project-config-loader.js';

export interface ProjectsModuleDeps {
  store: StoreModule;
  services: ServicesModule;
  ports: ListeningPorts;
  peers: PeerServing;
  logger: Logger;
  /** the databases domain (its hooks into the services, the engines' versions for the config) */
  databases?: ProjectDatabases;
}

export class ProjectsModule implements AsyncDisposable {
  readonly manager: ProjectManager;

  constructor(private readonly deps: ProjectsModuleDeps) {
    const { store, services, ports, peers, databases } = deps;
    this.manager = new ProjectManager({
      ...(databases
        ? { databases, loader: new ProjectConfigLoader({ engineVersion: (e) => databases.engineVersion(e) }) }
        : {}),
      events: store.events,
      logs: services.logs,
      registry: services.registry,
      reaper: services.reaper,
      serviceCa: services.serviceCa,
      baseEnv: store.baseEnv,
      logger: deps.logger.child({ domain: 'projects' }),
      mesh: {
        proxyBase: () => proxyBaseUrl(ports.proxy.httpPort),
        peerServing: (project, service, range) => peers.peerServing(project, service, range),
        tcpAddress: (project, def) => ports.tcpAddress?.(project, def) ?? null,
      },
    });
  }

  /** Opens the projects asked for at start; the first that fails is thrown (the caller releases the rest). */
  async openAll(roots: readonly string[]): Promise<void> {
    for (const root of roots) {
      try {
        await this.manager.open(root);
      } catch (err) {
        this.deps.logger.error({ domain: 'projects', root, err: (err as Error).message }, 'could not open project');
        throw err;
      }
    }
  }

  dispose(): Promise<void> {
    return this.manager.dispose();
  }
}
