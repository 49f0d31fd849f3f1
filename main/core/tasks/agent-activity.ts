// The task board's view of agent liveness: which running agents it has met (a status event from one it
// has not is a new agent, to be offered open tasks), when each was last seen active, and the silence
// clock of each awarded task; a sweep, also on its own timer, abandons the tasks of agents that are gone
// or silent.
//
// Decisions:
// - Silence: a CLAIMED/WORKING task whose agent showed no activity (output, an API call, a 'working'
//   status) for silentAfterMs since the award is abandoned. PAUSED tasks are left alone: a pause is said.
//   An agent whose status is 'working' now (its output flows: a long build) or 'waiting' (it asks the
//   human; the wait is on the human) is active at every sweep: only an agent sitting quiet ('idle', or
//   'starting' and never settling) for that long is silent.
// - Silence is counted from the later of the agent's last activity and the start of the task's clock:
//   its award, or the board's start for a task already active then (else the task's last change).
// - The sweep runs every quarter of silentAfterMs, at least every second and at most every minute.
import type { AgentRecord } from '../../../shared/agent.js';
import type { TaskInfo, TaskState } from '../../../shared/task.js';
import type { Disposable } from '../base/disposable.js';
import type { LockClock, LockTimer } from '../locks/lock-clock.js';
import type { TaskStore } from './task-store.js';

export interface AgentActivityDeps {
  store: TaskStore;
  clock: LockClock;
  /** agents not exited */
  live: () => AgentRecord[];
  /** a CLAIMED/WORKING task whose agent showed no activity this long is abandoned */
  silentAfterMs: number;
  /** gives the task up (its agent is gone or silent) and queues it again */
  abandon: (task: TaskInfo, why: string) => void;
}

const SILENT_CHECKED: readonly TaskState[] = ['CLAIMED', 'WORKING'];

export class AgentActivity implements Disposable {
  /** running agents seen so far: a status event of one not in here is a new agent */
  private readonly known = new Set<string>();
  private readonly lastSeen = new Map<string, number>();
  /** task id → when it was awarded (or the board started), the start of its silence clock */
  private readonly since = new Map<string, number>();
  private sweepTimer: LockTimer | null = null;
  private disposed = false;

  constructor(private readonly deps: AgentActivityDeps) {
    for (const a of deps.live()) this.known.add(a.id);
  }

  /** the agent did something (output, an API call, a bid, a 'working' status): it is not silent */
  seen(agentId: string): void {
    this.lastSeen.set(agentId, this.deps.clock.now());
  }

  /** Marks the agent as met and seen; true when the board had not met it before. */
  meet(agentId: string): boolean {
    if (this.known.has(agentId)) return false;
    this.known.add(agentId);
    this.seen(agentId);
    return true;
  }

  /** the agent exited: a later status event of it is a new agent again */
  forget(agentId: string): void {
    this.known.delete(agentId);
    this.lastSeen.delete(agentId);
  }

  /** starts the task's silence clock (at its award, or at `at`) */
  startClock(taskId: string, at = this.deps.clock.now()): void {
    this.since.set(taskId, at);
  }

  stopClock(taskId: string): void {
    this.since.delete(taskId);
  }

  /** Arms the periodic sweep; called once the board has recovered its tasks. */
  start(): void {
    if (this.disposed || this.sweepTimer !== null) return;
    this.arm();
  }

  /** Abandons CLAIMED/WORKING tasks whose agent is gone or silent; returns how many. */
  sweep(): number {
    if (this.disposed) return 0;
    const now = this.deps.clock.now();
    const live = new Map(this.deps.live().map((a) => [a.id, a]));
    let abandoned = 0;
    for (const t of this.deps.store.listIn(SILENT_CHECKED)) {
      const agent = t.assigneeId;
      if (agent === null) continue;
      const name = t.assigneeName ?? agent;
      const record = live.get(agent);
      if (!record) {
        this.deps.abandon(t, `agent ${name} is not running`);
        abandoned++;
        continue;
      }
      if (record.status === 'working' || record.status === 'waiting') {
        this.seen(agent);
        continue;
      }
      const last = Math.max(this.lastSeen.get(agent) ?? 0, this.since.get(t.id) ?? t.updatedAt);
      if (now - last >= this.deps.silentAfterMs) {
        this.deps.abandon(t, `agent ${name} showed no activity for ${Math.round((now - last) / 1000)} s`);
        abandoned++;
      }
    }
    return abandoned;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sweepTimer?.cancel();
  }

  private arm(): void {
    if (this.disposed) return;
    const every = Math.min(60_000, Math.max(1_000, Math.floor(this.deps.silentAfterMs / 4)));
    this.sweepTimer = this.deps.clock.schedule(() => {
      this.sweep();
      this.arm();
    }, every);
  }
}
