// How the task board follows the lives of its agents: one that exits or is gone gives its tasks up (they are
// re-queued) and loses its bids; one that crashed and is being relaunched keeps its tasks, typed again once it
// is back; a running agent met for the first time is invited to the open tasks; an idle one gets its next prompt.
import type { AgentRecord, AgentStatusEvent } from '../../../shared/agent.js';
import type { AgentActivity } from './agent-activity.js';
import type { TaskAuction } from './task-auction.js';
import type { TaskDelivery } from './task-delivery.js';
import type { TaskEligibility } from './task-eligibility.js';
import type { TaskJournal } from './task-journal.js';
import type { TaskQueue } from './task-queue.js';
import { ACTIVE_TASK_STATES } from './task-recovery.js';
import type { TaskStore } from './task-store.js';

export interface TaskAgentFollowerDeps {
  store: TaskStore;
  journal: TaskJournal;
  eligibility: TaskEligibility;
  activity: AgentActivity;
  auction: TaskAuction;
  delivery: TaskDelivery;
  queue: TaskQueue;
  /** by id, exited ones too; null when unknown */
  find: (id: string) => AgentRecord | null;
}

export class TaskAgentFollower {
  constructor(private readonly deps: TaskAgentFollowerDeps) {}

  statusChanged(event: AgentStatusEvent): void {
    const { store, activity } = this.deps;
    const id = event.agentId;
    if (event.to === 'exited') {
      this.drop(id, `agent ${event.name} exited${event.reason ? ` (${event.reason})` : ''}`);
      return;
    }
    if (event.to === 'working' || event.to === 'starting') activity.seen(id);
    if (activity.meet(id)) {
      const agent = this.deps.find(id) ?? event.record;
      for (const t of store.listIn(['BIDDING']))
        if (this.deps.eligibility.whyNot(t, agent) === null) this.deps.journal.invite(agent.id, t);
      this.deps.queue.evaluateAll();
    }
    if (event.to === 'idle') this.deps.delivery.next(id);
  }

  /** its WORKING tasks go back to CLAIMED, each prompt typed again once the relaunched agent is idle */
  crashed(agentId: string, name: string, why: string): void {
    for (const t of this.deps.store.listIn(['WORKING']).filter((x) => x.assigneeId === agentId))
      this.deps.journal.transition(
        t,
        'CLAIMED',
        'devmesh',
        `agent ${name} ${why}; its prompt is typed again after the relaunch`,
      );
  }

  /** as for an agent that exited: its active tasks are abandoned and re-queued with `why`, its bids withdrawn */
  gone(agentId: string, why: string): void {
    this.drop(agentId, why);
  }

  private drop(agentId: string, why: string): void {
    this.deps.activity.forget(agentId);
    for (const t of this.deps.store.listIn(ACTIVE_TASK_STATES).filter((x) => x.assigneeId === agentId))
      this.deps.queue.abandon(t, 'devmesh', why);
    this.deps.auction.withdraw(agentId);
  }
}
