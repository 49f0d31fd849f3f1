// Presence across the mesh: every linked machine learns what this one has (its human, open projects and
// agents) as a snapshot when its link comes up (again after every re-link) and as a small delta on every
// change; this machine keeps a replica of each teammate's, marked unreachable ("last seen") when its link goes
// down. Changes arrive here through `changed()` (the module wires the local domains' events to it) and are
// gathered into one delta per turn of the event loop. `machines()` / `agents()` answer the API.
import type { Logger } from 'pino';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { TeamAgent, TeamLocks, TeamMachine } from '../../../shared/team.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter, type Event } from '../base/emitter.js';
import { localPresence, type LocalPresenceDeps } from './local-presence.js';
import { PresenceFeed } from './presence-feed.js';
import { PRESENCE_CHANNEL, PresenceMessageSchema, type PresenceMessage } from './presence-messages.js';
import { PresenceReplicas } from './presence-replicas.js';
import { TeamChannel } from './team-channel.js';
import type { TeamTransport } from './team-transport.js';

/** a teammate as its latest presence shows it */
export interface HeardMachine {
  machineId: string;
  name: string;
  /** the identity keys of the projects it has open (those git identified) */
  projectKeys: string[];
}

export interface TeamPresenceDeps {
  transport: TeamTransport;
  local: LocalPresenceDeps;
  /** where team.machine / team.agent events go (the daemon's event bus) */
  emit(event: DevMeshEvent): void;
  logger: Logger;
  now?: () => number;
}

export class TeamPresence implements Disposable {
  private readonly channel: TeamChannel<PresenceMessage>;
  private readonly feed: PresenceFeed;
  private readonly replicas: PresenceReplicas;
  private pending: NodeJS.Immediate | null = null;
  private disposed = false;
  private readonly heard = new Emitter<HeardMachine>({ name: 'presence heard' });
  /** a teammate's presence was applied (a snapshot or a delta): the project keys it has now */
  readonly onDidHear: Event<HeardMachine> = this.heard.event;

  constructor(private readonly deps: TeamPresenceDeps) {
    this.feed = new PresenceFeed(() => localPresence(deps.local));
    this.replicas = new PresenceReplicas({ emit: (e) => deps.emit(e), now: deps.now });
    this.channel = new TeamChannel({
      transport: deps.transport,
      name: PRESENCE_CHANNEL,
      schema: PresenceMessageSchema,
      logger: deps.logger,
      onMessage: (from, m) => this.contained('a presence message', () => this.received(from, m)),
      onUp: (machine) => this.contained('a link up', () => this.sendSnapshot(machine.machineId)),
      onDown: (machine) => this.contained('a link down', () => this.replicas.down(machine)),
    });
    // built after links came up (a part added late): tell them now, and ask for theirs
    for (const m of this.channel.machines()) {
      this.sendSnapshot(m.machineId);
      this.channel.send(m.machineId, { k: 'resync' });
    }
  }

  /** Something local changed (an agent, a project, a task): teammates get one delta for the whole burst. */
  changed(): void {
    if (this.pending !== null || this.disposed) return;
    // no teammate linked: nobody to tell, and a link that comes up is sent a snapshot read then
    if (this.channel.machines().length === 0) return;
    this.pending = setImmediate(() => {
      this.pending = null;
      this.contained('a presence refresh', () => this.refresh());
    });
  }

  /** Sends what changed since the last refresh to every linked machine, now; false when nothing had. */
  refresh(except?: string): boolean {
    const delta = this.feed.refresh();
    if (delta === null) return false;
    for (const m of this.channel.machines()) if (m.machineId !== except) this.channel.send(m.machineId, delta);
    return true;
  }

  /** this machine first, then teammates' (reachable first, then by name) */
  machines(): TeamMachine[] {
    const here = localPresence({ ...this.deps.local, locks: undefined }); // its locks are `locks()`'s
    const { machineId, machineName } = this.deps.transport;
    const self: TeamMachine = {
      machineId,
      name: machineName,
      human: here.human,
      local: true,
      reachable: true,
      lastSeen: null,
      projects: here.projects,
      agents: here.agents.map((a) => ({
        ...a,
        machineId,
        machine: machineName,
        human: here.human,
        local: true,
        reachable: true,
      })),
    };
    const others = this.replicas
      .machines()
      .sort((a, b) => Number(b.reachable) - Number(a.reachable) || a.name.localeCompare(b.name));
    return [self, ...others];
  }

  /** a teammate's mesh name as its presence last told it; null when none came from it */
  nameOf(machineId: string): string | null {
    return this.replicas.machines().find((m) => m.machineId === machineId)?.name ?? null;
  }

  /** agents of every machine (`all`, default) or this one's; `machine` narrows to one machine, by name or id */
  agents(filter: { all?: boolean; machine?: string } = {}): TeamAgent[] {
    const machines = this.machines().filter(
      (m) =>
        (filter.all !== false || m.local) &&
        (filter.machine === undefined || m.name === filter.machine || m.machineId === filter.machine),
    );
    return machines.flatMap((m) => m.agents);
  }

  /** this machine's held locks (every space), then teammates' as their presence lists them (last seen too) */
  locks(): TeamLocks {
    const { machineId, machineName } = this.deps.transport;
    const here = (this.deps.local.locks?.() ?? []).map((l) => ({
      ...l,
      machineId,
      machine: machineName,
      local: true,
      reachable: true,
    }));
    const theirs = this.replicas.locks();
    return { locks: [...here, ...theirs.locks], leftOff: theirs.leftOff };
  }

  dispose(): void {
    this.disposed = true;
    if (this.pending !== null) clearImmediate(this.pending);
    this.channel.dispose();
    this.heard.dispose();
  }

  private received(from: { machineId: string; name: string }, m: PresenceMessage): void {
    if (m.k === 'resync') return this.sendSnapshot(from.machineId);
    const result = m.k === 'snapshot' ? this.replicas.snapshot(from, m) : this.replicas.delta(from, m);
    if (result === 'applied') {
      const machine = this.replicas.machines().find((r) => r.machineId === from.machineId);
      const projectKeys = (machine?.projects ?? []).flatMap((p) => (p.key === null ? [] : [p.key]));
      return this.heard.fire({ machineId: from.machineId, name: from.name, projectKeys });
    }
    this.deps.logger.debug(
      { domain: 'team', channel: PRESENCE_CHANNEL, from: from.name, kind: m.k, seq: m.seq, result },
      result === 'stale' ? 'a stale presence message was ignored' : 'presence out of step: asking for a snapshot',
    );
    if (result === 'gap') this.channel.send(from.machineId, { k: 'resync' });
  }

  private sendSnapshot(machineId: string): void {
    this.refresh(machineId); // the others hear of a pending change as a delta; this machine, in the snapshot
    this.channel.send(machineId, this.feed.snapshot());
  }

  // A link's callbacks must not throw into the mesh: a failure here is logged and the link carries on.
  private contained(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ domain: 'team', err: (err as Error).message }, `presence: ${what} failed`);
    }
  }
}
