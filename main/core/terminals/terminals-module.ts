// PTY sessions, owned by the core so they outlive any window or page. Input typed into one is relayed
// (`onInput`) to whoever listens: the agents module, built after, notes an agent's prompt may be answered.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AsyncDisposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import { terminalContextOf } from '../project-views.js';
import type { ProjectsModule } from '../projects/projects-module.js';
import type { ListeningPorts } from '../proxy/listening-ports.js';
import type { ServicesModule } from '../services/services-module.js';
import type { StoreModule } from '../store/store-module.js';
import { TerminalManager } from './terminal-manager.js';

export interface TerminalsModuleDeps {
  home: DevMeshHome;
  store: StoreModule;
  services: ServicesModule;
  projects: ProjectsModule;
  ports: ListeningPorts;
  logger: Logger;
}

export class TerminalsModule implements AsyncDisposable {
  readonly manager: TerminalManager;
  /** a terminal's id, each time input reaches it */
  private readonly typed = new Emitter<string>({ name: 'terminal input' });
  /** a terminal's id, each time input is typed into it */
  readonly onInput = this.typed.event;

  constructor(deps: TerminalsModuleDeps) {
    const { home, store, services, projects, ports } = deps;
    this.manager = new TerminalManager({
      events: store.events,
      logger: deps.logger.child({ domain: 'terminals' }),
      onInput: (id) => this.typed.fire(id),
      recordingsDir: join(home.dir, 'recordings'),
      baseEnv: store.baseEnv,
      health: store.health,
      reaper: services.reaper,
      project: (ref) => terminalContextOf(projects.manager, ref, ports.proxy.httpPort, ports.tcpAddress),
    });
  }

  dispose(): Promise<void> {
    return this.manager.dispose();
  }
}
