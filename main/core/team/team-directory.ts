// Who is where in the team: the teammates' machines, and (once the presence part fills it) their agents,
// roles and humans. Messages ask it where to route an address; it answers what this machine knows.
//
// `TeamDirectory` is the seam the presence part fills: PresenceDirectory (presence-directory.ts) answers
// `agents` and `withRole` from presence's replicas over this one's machines. Alone, `SeenMachinesDirectory` knows the machines this one has
// been linked with (kept in SQLite, so `*` and roles reach the unreachable ones after a restart too), no
// teammates' agents (`name@machine` routes by the machine, and that machine resolves the name), and a
// teammate's human by the machine's mesh name (`alice`: the human at the machine named alice).
import type { Disposable } from '../base/disposable.js';
import type { Database } from '../store/database.js';
import type { TeamTransport } from './team-transport.js';

/** a teammate's machine: its mesh agent id and mesh name; linked: it has a live link now */
export interface TeamMachine {
  machineId: string;
  name: string;
  linked: boolean;
}

/** an agent on a teammate's machine */
export interface TeamAgentRef {
  machineId: string;
  machineName: string;
  agentId: string;
  name: string;
  role: string | null;
}

export interface TeamDirectory {
  /** teammates' machines, linked now or seen before (this machine is not one of them), by name */
  machines(): TeamMachine[];
  /** a teammate's machine by its mesh name or id; null when none is known */
  machine(nameOrId: string): TeamMachine | null;
  /** teammates' agents with this name or id (more than one: the caller asks for `name@machine`); [] unknown */
  agents(nameOrId: string): TeamAgentRef[];
  /** teammates' agents with this role; null when not known here: every machine then resolves it itself */
  withRole(role: string): TeamAgentRef[] | null;
  /** the machine of a teammate's human named so; null when none is known */
  human(name: string): TeamMachine | null;
  /** machines whose agents this directory does not know (a role goes to them too; they decide) */
  unheard?(): TeamMachine[];
}

interface MachineRow {
  machine: string;
  name: string;
}

/** The machines seen on links, kept in `team_machines` (schema 10); no teammates' agents yet. */
export class SeenMachinesDirectory implements TeamDirectory, Disposable {
  private readonly upsert;
  private readonly all;
  private readonly subscription: Disposable;

  constructor(
    database: Database,
    private readonly transport: TeamTransport,
    private readonly now: () => number = Date.now,
  ) {
    const db = database.db;
    this.upsert = db.prepare(
      'INSERT INTO team_machines (machine, name, last_seen) VALUES (?, ?, ?) ' +
        'ON CONFLICT(machine) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen',
    );
    this.all = db.prepare('SELECT machine, name FROM team_machines ORDER BY name, machine');
    for (const m of transport.linkedMachines()) this.seen(m.machineId, m.name);
    this.subscription = transport.onLinkUp((m) => this.seen(m.machineId, m.name));
  }

  /** a machine linked now, remembered (called on every link up; the directory subscribes itself) */
  seen(machineId: string, name: string): void {
    this.upsert.run(machineId, name, this.now());
  }

  machines(): TeamMachine[] {
    const linked = new Map(this.transport.linkedMachines().map((m) => [m.machineId, m.name]));
    const out = new Map<string, TeamMachine>();
    for (const row of this.all.all() as MachineRow[])
      if (row.machine !== this.transport.machineId)
        out.set(row.machine, { machineId: row.machine, name: linked.get(row.machine) ?? row.name, linked: false });
    for (const [machineId, name] of linked) out.set(machineId, { machineId, name, linked: true });
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name) || a.machineId.localeCompare(b.machineId));
  }

  machine(nameOrId: string): TeamMachine | null {
    const all = this.machines();
    return all.find((m) => m.machineId === nameOrId) ?? all.find((m) => m.name === nameOrId) ?? null;
  }

  agents(): TeamAgentRef[] {
    return [];
  }

  withRole(): TeamAgentRef[] | null {
    return null;
  }

  human(name: string): TeamMachine | null {
    return this.machines().find((m) => m.name === name) ?? null;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
