// Where a message goes, from its address. What this machine can resolve it resolves (its agents, `user`);
// the rest goes by machine, and the receiving machine resolves the name itself (it answers a refusal when it
// does not know it):
// - `*`: stored here for this machine's readers, and to every teammate's machine known (linked or not);
// - `@role`: stored here (this machine's agents with the role read it), and to every machine with an agent
//   of that role when the directory knows roles (presence; plus the machines it has not heard from), else to
//   every known machine;
// - `name@machine` / `user@machine`: to that machine; `name@<this machine>` is local;
// - `name`: this machine's agent, else a teammate's agent the directory knows (one machine), else a
//   teammate's human by name (`alice`: the human at the machine named alice).
import { DevMeshError } from '../../../shared/errors.js';
import type { TeamDirectory, TeamMachine } from './team-directory.js';

export interface LocalParties {
  /** this machine's agent by id or name, `user`, `devmesh`; null when unknown */
  resolve(party: string): { id: string; name: string } | null;
  /** whether one of this machine's live agents has the role */
  hasRole(role: string): boolean;
}

export interface MessageRoute {
  /** the recipient as stored in this machine's board */
  to: { id: string; name: string };
  /** the teammates' machines it goes to */
  machines: TeamMachine[];
  /** the recipient as each of those machines resolves it */
  remoteTo: string;
}

export interface RouteDeps {
  self: { machineId: string; name: string };
  local: LocalParties;
  directory: TeamDirectory;
}

export function routeFor(address: string, deps: RouteDeps): MessageRoute {
  const { local, directory } = deps;
  if (address === '*') return { to: { id: '*', name: 'everyone' }, machines: directory.machines(), remoteTo: '*' };
  if (address.startsWith('@')) return roleRoute(address.slice(1), deps);
  const here = local.resolve(address);
  if (here) return { to: here, machines: [], remoteTo: here.id };
  const at = address.lastIndexOf('@');
  if (at > 0) {
    const name = address.slice(0, at);
    const machineRef = address.slice(at + 1);
    if (machineRef === deps.self.name || machineRef === deps.self.machineId) {
      const mine = local.resolve(name);
      if (mine) return { to: mine, machines: [], remoteTo: mine.id };
      throw notFound(address, deps, `no agent "${name}" on this machine (${deps.self.name})`);
    }
    const machine = directory.machine(machineRef);
    if (!machine)
      throw notFound(address, deps, `no machine "${machineRef}" known in the mesh (the address ${address})`);
    const to = `${name}@${machine.name}`;
    return { to: { id: to, name: to }, machines: [machine], remoteTo: name };
  }
  const agents = directory.agents(address);
  if (agents.length > 1)
    throw new DevMeshError(
      'AGENT_NOT_FOUND',
      `"${address}" names agents on more than one machine (${agents.map((a) => `${a.name}@${a.machineName}`).join(', ')}); ` +
        'say which with name@machine',
    );
  const agent = agents[0];
  if (agent) {
    const machine = directory.machine(agent.machineId) ?? {
      machineId: agent.machineId,
      name: agent.machineName,
      linked: false,
    };
    const to = `${agent.name}@${machine.name}`;
    return { to: { id: to, name: to }, machines: [machine], remoteTo: agent.agentId };
  }
  const human = directory.human(address);
  if (human) {
    const to = `user@${human.name}`;
    return { to: { id: to, name: address }, machines: [human], remoteTo: 'user' };
  }
  throw notFound(address, deps, `no agent "${address}" on this machine (${deps.self.name}) or known on a teammate's`);
}

function roleRoute(role: string, deps: RouteDeps): MessageRoute {
  const to = { id: `@${role}`, name: `@${role}` };
  const known = deps.directory.withRole(role);
  const machines =
    known === null
      ? deps.directory.machines()
      : [
          ...new Set([...known.map((a) => a.machineId), ...(deps.directory.unheard?.() ?? []).map((m) => m.machineId)]),
        ].map((id) => deps.directory.machine(id) ?? { machineId: id, name: id, linked: false });
  if (machines.length === 0 && !deps.local.hasRole(role))
    throw new DevMeshError(
      'AGENT_NOT_FOUND',
      `no agent has the role "${role}" on this machine (${deps.self.name})` +
        (known === null ? " and no teammate's machine is known to send it to" : " or on a teammate's") +
        `; start one with \`devmesh agent start <profile> --role ${role}\`, or check the role's spelling ` +
        '(devmesh agent ls shows roles)',
    );
  return { to, machines, remoteTo: `@${role}` };
}

function notFound(address: string, deps: RouteDeps, what: string): DevMeshError {
  const machines = deps.directory.machines().map((m) => m.name);
  return new DevMeshError(
    'AGENT_NOT_FOUND',
    `${what}; name an agent by id or name (devmesh agent ls), a teammate's as name@machine ` +
      `(machines known: ${machines.length ? machines.join(', ') : 'none yet; see devmesh mesh ls'}), ` +
      'user for you, user@machine for a teammate, @role, or * for everyone',
  );
}
