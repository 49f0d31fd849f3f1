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
import { TeamTasks } from './team-tasks.js';
import { meshTransport, type TeamTransport } from './team-transport.js';

export interface TeamModuleDeps {
  store: StoreModule;
  projects: ProjectsModule;
  mesh: MeshModule;
  agents: AgentsModule;
  coordination: CoordinationModule;
  logger: Logger;
  /** how long a teammate's machine may be unreachable before the tasks its agents won here are re-queued */
  taskGraceMs?: number;
}

export class TeamModule implements AsyncDisposable {
  readonly transport: TeamTransport;
  /** tasks across the mesh: this machine's as their home, teammates' as replicas (the `tasks` channel) */
  readonly tasks: TeamTasks;
  private readonly parts: DisposableStore;

  constructor(private readonly deps: TeamModuleDeps) {
    const logger = deps.logger.child({ domain: 'team' });
    this.parts = new DisposableStore((err) => logger.error({ err }, 'a part of the team failed to close'));
    this.transport = meshTransport(deps.mesh.node);
    this.tasks = this.parts.add(
      new TeamTasks({
        transport: this.transport,
        coordination: deps.coordination.coordination,
        agents: deps.agents.manager,
        projects: deps.projects.manager,
        events: deps.store.events,
        logger: logger.child({ channel: 'tasks' }),
        ...(deps.taskGraceMs !== undefined ? { graceMs: deps.taskGraceMs } : {}),
      }),
    );
  }

  async dispose(): Promise<void> {
    await this.parts.dispose();
  }
}
