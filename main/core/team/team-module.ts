// The team across the mesh (issue 15): what agents, locks, tasks, messages and shared state become when
// teammates' machines are linked. Each part speaks on its own TeamChannel over the mesh's authenticated links
// (team-transport.ts) and decides through the local domains (coordination, agents, projects). Built after
// Coordination and the mesh; disposed before the mesh says goodbye, so no part sends on a closing link.
import type { Logger } from 'pino';
import type { AgentsModule } from '../agents/agents-module.js';
import { DisposableStore, type AsyncDisposable } from '../base/disposable.js';
import type { CoordinationModule } from '../coordination/coordination-module.js';
import type { MeshModule } from '../mesh/mesh-module.js';
import type { ProjectsModule } from '../projects/projects-module.js';
import type { StoreModule } from '../store/store-module.js';
import type { LocalParties } from './message-routes.js';
import { SeenMachinesDirectory, type TeamDirectory } from './team-directory.js';
import { TeamMessages } from './team-messages.js';
import { meshTransport, type TeamTransport } from './team-transport.js';

export interface TeamModuleDeps {
  store: StoreModule;
  projects: ProjectsModule;
  mesh: MeshModule;
  agents: AgentsModule;
  coordination: CoordinationModule;
  logger: Logger;
}

export class TeamModule implements AsyncDisposable {
  readonly transport: TeamTransport;
  /** who is where in the team (the presence part may replace it with one that knows teammates' agents) */
  readonly directory: TeamDirectory;
  /** messages to anyone on the mesh, store-and-forward */
  readonly messages: TeamMessages;
  private readonly parts: DisposableStore;

  constructor(private readonly deps: TeamModuleDeps) {
    const logger = deps.logger.child({ domain: 'team' });
    this.parts = new DisposableStore((err) => logger.error({ err }, 'a part of the team failed to close'));
    this.transport = meshTransport(deps.mesh.node);
    const { database, events } = deps.store;
    const directory = this.parts.add(new SeenMachinesDirectory(database, this.transport));
    this.directory = directory;
    const coordination = deps.coordination.coordination;
    this.messages = this.parts.add(
      new TeamMessages({
        transport: this.transport,
        database,
        board: coordination.messages,
        directory,
        local: TeamModule.localParties(deps.agents),
        trail: coordination.trail,
        emit: (event) => events.emit(event),
        logger,
      }),
    );
  }

  /** this machine's agents (by id or name), `user` and `devmesh`, as messages address them */
  static localParties(agents: Pick<AgentsModule, 'manager'>): LocalParties {
    const find = (idOrName: string) => {
      try {
        return agents.manager.get(idOrName);
      } catch {
        return null; // not an agent of this machine
      }
    };
    return {
      resolve: (party) => {
        if (party === 'user' || party === 'devmesh') return { id: party, name: party };
        const agent = find(party);
        return agent ? { id: agent.id, name: agent.name } : null;
      },
      hasRole: (role) => agents.manager.list().some((a) => a.status !== 'exited' && a.role === role),
    };
  }

  async dispose(): Promise<void> {
    await this.parts.dispose();
  }
}
