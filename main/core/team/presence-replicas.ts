// Teammates' presence as this machine knows it: one replica per machine that ever sent its presence. A
// snapshot replaces a replica; a delta applies only when it is the next change of the same epoch (an older
// one is stale and ignored, a later one means something was missed: the caller asks for a snapshot). A
// machine whose link goes down keeps its replica, marked unreachable with the time it was last seen.
// Every change a user would notice is told through `emit` as a team.machine / team.agent event, and a change of
// a machine's held locks (or of whether they are current: its link went down or came back) as team.locks.
import type { AgentStatus } from '../../../shared/agent.js';
import type {
  TeamAgent,
  TeamAgentEvent,
  TeamAgentState,
  TeamLock,
  TeamLockState,
  TeamLocksEvent,
  TeamMachine,
  TeamMachineEvent,
  TeamProject,
} from '../../../shared/team.js';
import type { PresenceDelta, PresenceSnapshot } from './presence-messages.js';

/** replicas kept at most; past it the machine unreachable the longest is forgotten */
export const MAX_REPLICAS = 256;

interface Replica {
  machineId: string;
  name: string;
  human: string;
  epoch: string;
  seq: number;
  projects: TeamProject[];
  agents: Map<string, TeamAgentState>;
  locks: TeamLockState[];
  locksLeftOff: number;
  reachable: boolean;
  lastSeen: number | null;
}

export type ApplyResult = 'applied' | 'stale' | 'gap';

export interface PresenceReplicasDeps {
  emit(event: TeamMachineEvent | TeamAgentEvent | TeamLocksEvent): void;
  now?: () => number;
}

const STATUS_CHANGE: Record<AgentStatus, TeamAgentEvent['change']> = {
  starting: 'started',
  working: 'working',
  waiting: 'waiting',
  idle: 'idle',
  exited: 'finished',
};

export class PresenceReplicas {
  private readonly replicas = new Map<string, Replica>();
  private readonly now: () => number;

  constructor(private readonly deps: PresenceReplicasDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A machine's whole presence: applied unless it is older than what this replica holds of that epoch. */
  snapshot(from: { machineId: string; name: string }, s: PresenceSnapshot): ApplyResult {
    const r = this.replicas.get(from.machineId);
    if (r !== undefined && r.epoch === s.epoch && s.seq < r.seq) return 'stale';
    const change = r === undefined ? 'joined' : r.reachable ? null : 'back';
    const next: Replica = {
      machineId: from.machineId,
      name: from.name,
      human: s.human,
      epoch: s.epoch,
      seq: s.seq,
      projects: s.projects,
      agents: new Map(s.agents.map((a) => [a.id, a])),
      locks: s.locks ?? [],
      locksLeftOff: s.locksLeftOff ?? 0,
      reachable: true,
      lastSeen: null,
    };
    this.replicas.set(from.machineId, next);
    this.bound();
    if (change !== null) this.machineEvent(next, change);
    const locksWere = r === undefined ? [] : r.locks;
    if (
      (r !== undefined && !r.reachable && next.locks.length > 0) ||
      JSON.stringify(locksWere) !== JSON.stringify(next.locks)
    )
      this.locksEvent(next);
    // a machine seen for the first time brings its agents with `joined`; afterwards each change is told
    if (r !== undefined) this.agentEvents(next, r.agents, next.agents);
    return 'applied';
  }

  /** The next change of a machine's presence; `gap` when it is not the next one this replica can apply. */
  delta(from: { machineId: string; name: string }, d: PresenceDelta): ApplyResult {
    const r = this.replicas.get(from.machineId);
    if (r === undefined || r.epoch !== d.epoch) return 'gap';
    if (d.seq <= r.seq) return 'stale';
    if (d.seq !== r.seq + 1) return 'gap';
    const before = new Map(r.agents);
    r.seq = d.seq;
    r.name = from.name;
    if (d.human !== undefined) r.human = d.human;
    if (d.projects !== undefined) r.projects = d.projects;
    for (const a of d.upsert) r.agents.set(a.id, a);
    for (const id of d.remove) r.agents.delete(id);
    if (d.locks !== undefined) r.locks = d.locks;
    if (d.locksLeftOff !== undefined) r.locksLeftOff = d.locksLeftOff;
    this.agentEvents(r, before, r.agents);
    if (d.locks !== undefined || d.locksLeftOff !== undefined) this.locksEvent(r);
    return 'applied';
  }

  /** The link to a machine went down: its replica stays, for display, as last seen now. */
  down(machine: { machineId: string; left: boolean }): void {
    const r = this.replicas.get(machine.machineId);
    if (r === undefined || !r.reachable) return;
    r.reachable = false;
    r.lastSeen = this.now();
    this.machineEvent(r, machine.left ? 'left' : 'unreachable');
    if (r.locks.length > 0) this.locksEvent(r); // now as last seen
  }

  /** every teammate's held locks (last seen for an unreachable one), and who held more than it listed */
  locks(): { locks: TeamLock[]; leftOff: Array<{ machine: string; count: number }> } {
    const all = [...this.replicas.values()];
    return {
      locks: all.flatMap((r) =>
        r.locks.map((l) => ({ ...l, machineId: r.machineId, machine: r.name, local: false, reachable: r.reachable })),
      ),
      leftOff: all.filter((r) => r.locksLeftOff > 0).map((r) => ({ machine: r.name, count: r.locksLeftOff })),
    };
  }

  machines(): TeamMachine[] {
    return [...this.replicas.values()].map((r) => ({
      machineId: r.machineId,
      name: r.name,
      human: r.human,
      local: false,
      reachable: r.reachable,
      lastSeen: r.lastSeen,
      projects: r.projects,
      agents: [...r.agents.values()].map((a) => PresenceReplicas.agentOf(r, a)),
    }));
  }

  private agentEvents(r: Replica, before: Map<string, TeamAgentState>, after: Map<string, TeamAgentState>): void {
    const ts = this.now();
    for (const a of after.values()) {
      const was = before.get(a.id);
      let change: TeamAgentEvent['change'] | null;
      if (was === undefined) change = a.status === 'exited' ? null : 'started';
      else if (was.status !== a.status) change = STATUS_CHANGE[a.status];
      else change = JSON.stringify(was) === JSON.stringify(a) ? null : 'updated';
      if (change !== null) this.deps.emit({ type: 'team.agent', ts, change, agent: PresenceReplicas.agentOf(r, a) });
    }
    for (const a of before.values())
      if (!after.has(a.id))
        this.deps.emit({ type: 'team.agent', ts, change: 'removed', agent: PresenceReplicas.agentOf(r, a) });
  }

  private locksEvent(r: Replica): void {
    this.deps.emit({
      type: 'team.locks',
      ts: this.now(),
      machineId: r.machineId,
      machine: r.name,
      held: r.locks.length,
    });
  }

  private machineEvent(r: Replica, change: TeamMachineEvent['change']): void {
    this.deps.emit({
      type: 'team.machine',
      ts: this.now(),
      change,
      machineId: r.machineId,
      machine: r.name,
      human: r.human,
    });
  }

  private bound(): void {
    if (this.replicas.size <= MAX_REPLICAS) return;
    const gone = [...this.replicas.values()]
      .filter((r) => !r.reachable)
      .sort((a, b) => (a.lastSeen ?? 0) - (b.lastSeen ?? 0))[0];
    if (gone !== undefined) this.replicas.delete(gone.machineId);
  }

  private static agentOf(r: Replica, a: TeamAgentState): TeamAgent {
    return { ...a, machineId: r.machineId, machine: r.name, human: r.human, local: false, reachable: r.reachable };
  }
}
