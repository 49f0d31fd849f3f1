// The team across the mesh (issue 15): what agents, locks, tasks, messages and shared state become when
// teammates' machines are linked. Each part speaks on its own TeamChannel over the mesh's authenticated links
// (team-transport.ts) and decides through the local domains (coordination, agents, projects). Built after
// Coordination and the mesh; disposed before the mesh says goodbye, so no part sends on a closing link.
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import type { Coordination } from '../coordination/coordination.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { AgentsModule } from '../agents/agents-module.js';
import { DisposableStore, type AsyncDisposable } from '../base/disposable.js';
import type { CoordinationModule } from '../coordination/coordination-module.js';
import type { MeshModule } from '../mesh/mesh-module.js';
import type { ProjectsModule } from '../projects/projects-module.js';
import type { StoreModule } from '../store/store-module.js';
import type { LocalParties } from './message-routes.js';
import { SeenMachinesDirectory, type TeamDirectory } from './team-directory.js';
import { PresenceDirectory } from './presence-directory.js';
import { TeamMessages } from './team-messages.js';
import { TeamTasks } from './team-tasks.js';
import { meshTransport, type TeamTransport } from './team-transport.js';
import { TeamPresence } from './team-presence.js';
import { MeshLocks } from './mesh-locks.js';
import { TeamState } from './team-state.js';
import { MeshLockAlerts } from './mesh-lock-alerts.js';
import { localLocks } from './local-locks.js';
import { teammateLocks } from './teammate-lock-port.js';

/** local events after which this machine's presence is read again */
const PRESENCE_EVENTS = new Set<DevMeshEvent['type']>([
  'agent.status',
  'project.opened',
  'project.closed',
  'project.reloaded',
  'project.identified',
  'task.changed',
  'lock.changed',
]);

export interface TeamModuleDeps {
  store: StoreModule;
  projects: ProjectsModule;
  mesh: MeshModule;
  agents: AgentsModule;
  coordination: CoordinationModule;
  /** the human at this machine, told to teammates (settings `team.human`, else the OS user name) */
  human: string;
  logger: Logger;
  /** how long a teammate's machine may be unreachable before the tasks its agents won here are re-queued */
  taskGraceMs?: number;
}

export class TeamModule implements AsyncDisposable {
  readonly transport: TeamTransport;
  /** machines, humans and agents across the mesh (the `presence` channel) */
  readonly presence: TeamPresence;
  /** who is where in the team: machines seen on links, teammates' agents and roles from presence */
  readonly directory: TeamDirectory;
  /** messages to anyone on the mesh, store-and-forward */
  readonly messages: TeamMessages;
  /** locks honoured on every linked machine of a project (the lock spaces' gate) */
  readonly locks: MeshLocks;
  /** shared state whose compare-and-set holds across machines */
  readonly state: TeamState;
  /** tasks across the mesh: this machine's as their home, teammates' as replicas (the `tasks` channel) */
  readonly tasks: TeamTasks;
  private readonly parts: DisposableStore;

  constructor(private readonly deps: TeamModuleDeps) {
    const logger = deps.logger.child({ domain: 'team' });
    this.parts = new DisposableStore((err) => logger.error({ err }, 'a part of the team failed to close'));
    this.transport = meshTransport(deps.mesh.node);
    const { store, agents, projects, coordination } = deps;
    // this machine's agent by its name; a teammate's (holding a task's INTENT locks here) as name@machine
    const holderName = (holder: string): string => {
      const local = TeamModule.agentOf(agents, holder);
      if (local !== null) return local.name;
      const remote = this.presence.agents().find((a) => a.id === holder && !a.local);
      return remote ? `${remote.name}@${remote.machine}` : holder;
    };
    const machineName = (id: string): string =>
      id === this.transport.machineId ? this.transport.machineName : (this.presence.nameOf(id) ?? id);
    let meshLocks: MeshLocks | null = null; // built after presence, which may read the locks at once
    const presence = (this.presence = this.parts.add(
      new TeamPresence({
        transport: this.transport,
        local: {
          human: () => deps.human,
          agents: () => agents.manager.list(),
          projects: () => projects.manager.shared().map((p) => p.info()), // a worktree's copy stays local
          activeTasks: () => coordination.coordination.tasks.list({ states: ['CLAIMED', 'WORKING', 'PAUSED'] }),
          locks: () =>
            localLocks({
              spaces: () => coordination.coordination.locks.list(),
              projectKeyAt: (root) => TeamModule.projectKeyAt(projects, root),
              holderName,
              partitioned: () => {
                const byLock = meshLocks?.partitionedLocks() ?? new Map<string, string[]>();
                return new Map([...byLock].map(([id, machines]) => [id, machines.map(machineName)]));
              },
            }),
        },
        emit: (e) => store.events.emit(e),
        logger,
      }),
    ));
    this.parts.add(
      store.events.onDidEmitEvent((e) => {
        if (PRESENCE_EVENTS.has(e.type)) presence.changed();
      }),
    );
    this.parts.add(agents.manager.onDidRemove(() => presence.changed()));
    // a teammate's locks changed (or its link came or went): an award its lock refused may go through now
    this.parts.add(
      store.events.onDidEmitEvent((e) => {
        if (e.type === 'team.locks') coordination.coordination.tasks.retryWaiting();
      }),
    );
    const alerts = new MeshLockAlerts({
      machineName,
      emit: (e) => store.events.emit(e),
      audit: (entry) => coordination.coordination.trail.observe(entry),
      tell: (holder, body) => TeamModule.tell(coordination.coordination, holder, body, logger),
    });
    this.locks = meshLocks = this.parts.add(
      new MeshLocks({
        transport: this.transport,
        onDidHear: presence.onDidHear,
        onDidEmitEvent: (listener) => store.events.onDidEmitEvent(listener),
        locks: {
          useGate: (gate) => coordination.coordination.locks.useGate(gate),
          resolve: (root, target) => coordination.coordination.locks.at(root).manager.resolveTarget(target),
        },
        onRefusedAfterGrant: (lock, message) => alerts.refusedAfterGrant(lock, message),
        stateVersion: (key) => coordination.coordination.state.get(key)?.version ?? 0,
        projectKeyAt: (root) => TeamModule.projectKeyAt(projects, root),
        holderName,
        // a teammate's agent holding a lock here (the INTENT locks of a task it won at this home) is that
        // machine's holder: its own requests there are its own
        machineOf: (holder) => presence.agents().find((a) => a.id === holder && !a.local)?.machineId ?? null,
        machineName,
        onConflict: (c) => alerts.conflict(c),
        onPartitionedGrant: (claim) => alerts.partitionedGrant(claim),
        logger,
      }),
    );
    this.state = this.parts.add(
      new TeamState({
        transport: this.transport,
        locks: this.locks,
        state: coordination.coordination.state,
        coordination: coordination.coordination,
        machineName,
        emit: (e) => store.events.emit(e),
        logger,
      }),
    );
    this.parts.add(
      coordination.coordination.locks.useTeammateLocks(
        teammateLocks({ presence, projectKeyAt: (root) => TeamModule.projectKeyAt(projects, root) }),
      ),
    );
    const { database, events } = store;
    const seen = this.parts.add(new SeenMachinesDirectory(database, this.transport));
    const directory = (this.directory = new PresenceDirectory({ machines: seen, presence }));
    this.messages = this.parts.add(
      new TeamMessages({
        transport: this.transport,
        database,
        board: coordination.coordination.messages,
        directory,
        local: TeamModule.localParties(agents),
        trail: coordination.coordination.trail,
        emit: (event) => events.emit(event),
        logger,
      }),
    );
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

  /** The identity key of the open project at a lock space's root; null when it has none to share. */
  private static projectKeyAt(projects: ProjectsModule, root: string): string | null {
    const project = projects.manager.list().find((p) => resolve(p.root) === root);
    const identity = project?.identity;
    return identity === undefined || identity.localOnly ? null : identity.key;
  }

  private static agentOf(agents: Pick<AgentsModule, 'manager'>, idOrName: string): AgentRecord | null {
    try {
      return agents.manager.get(idOrName);
    } catch {
      return null; // not an agent of this machine
    }
  }

  /** A message from DevMesh to a local holder (an agent here, or the human); anyone else is not ours to tell. */
  private static tell(coordination: Coordination, holder: string, body: string, logger: Logger): void {
    try {
      coordination.messages.send({ from: 'devmesh', to: holder, body });
    } catch (err) {
      logger.warn({ domain: 'team', holder, err: (err as Error).message }, 'could not tell a lock holder');
    }
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
