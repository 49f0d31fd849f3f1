// The team's directory with teammates' agents: the machines come from SeenMachinesDirectory (kept in SQLite, so
// `*` and roles reach a machine unreachable since before a restart), the agents and their roles from presence's
// replicas. A machine whose presence this daemon has not heard yet (unreachable since it started) is `unheard`:
// its agents are unknown here, so a role is sent to it too and its machine decides.
import type { TeamAgent } from '../../../shared/team.js';
import type { TeamPresence } from './team-presence.js';
import type { TeamAgentRef, TeamDirectory, TeamMachine } from './team-directory.js';

export interface PresenceDirectoryDeps {
  /** the machines seen on links (persisted) */
  machines: TeamDirectory;
  presence: Pick<TeamPresence, 'machines'>;
}

export class PresenceDirectory implements TeamDirectory {
  constructor(private readonly deps: PresenceDirectoryDeps) {}

  machines(): TeamMachine[] {
    return this.deps.machines.machines();
  }

  machine(nameOrId: string): TeamMachine | null {
    return this.deps.machines.machine(nameOrId);
  }

  /** teammates' agents (not exited) with this id, else this name */
  agents(nameOrId: string): TeamAgentRef[] {
    const live = this.teammatesAgents();
    const byId = live.filter((a) => a.id === nameOrId);
    return (byId.length > 0 ? byId : live.filter((a) => a.name === nameOrId)).map(PresenceDirectory.ref);
  }

  withRole(role: string): TeamAgentRef[] {
    return this.teammatesAgents()
      .filter((a) => a.role === role)
      .map(PresenceDirectory.ref);
  }

  unheard(): TeamMachine[] {
    const heard = new Set(this.deps.presence.machines().map((m) => m.machineId));
    return this.machines().filter((m) => !heard.has(m.machineId));
  }

  human(name: string): TeamMachine | null {
    return this.deps.machines.human(name);
  }

  private teammatesAgents(): TeamAgent[] {
    return this.deps.presence
      .machines()
      .filter((m) => !m.local)
      .flatMap((m) => m.agents)
      .filter((a) => a.status !== 'exited');
  }

  private static ref(a: TeamAgent): TeamAgentRef {
    return { machineId: a.machineId, machineName: a.machine, agentId: a.id, name: a.name, role: a.role };
  }
}
