// The queue side of a task's life: posting a task (a human's, or the critic task a completed one asks for),
// opening a QUEUED task for bids once its dependencies are done and an agent can take it, and giving an
// awarded task up so it is queued and offered again. The board calls it; the auction takes over from BIDDING.
//
// Decisions:
// - Abandon (exit, silence, RELEASE) records ABANDONED with why, then QUEUED at once (bids cleared,
//   assignee cleared, attempts kept) and offers the task again.
import type { AgentRecord } from '../../../shared/agent.js';
import type { TaskInfo, TaskTransition } from '../../../shared/task.js';
import type { LockClock } from '../locks/lock-clock.js';
import type { TaskEligibility } from './task-eligibility.js';
import * as taskIds from './task-ids.js';
import type { TaskJournal } from './task-journal.js';
import type { TaskLockBinder } from './task-lock-binder.js';
import type { TaskFields, TaskStore } from './task-store.js';
import * as taskText from './task-text.js';

/** what a poster says of a new task; the rest of its fields start the same for every task */
export type TaskPosting = Omit<
  TaskFields,
  | 'id'
  | 'state'
  | 'stateReason'
  | 'assigneeId'
  | 'assigneeName'
  | 'terminalId'
  | 'attempts'
  | 'note'
  | 'createdAt'
  | 'updatedAt'
>;

export interface TaskQueueDeps {
  store: TaskStore;
  clock: LockClock;
  journal: TaskJournal;
  eligibility: TaskEligibility;
  binder: TaskLockBinder;
  /** agents not exited */
  live: () => AgentRecord[];
  /** the task as stored now; throws TASK_NOT_FOUND */
  must: (id: string) => TaskInfo;
  /** the task's bidding round (if any) ends */
  stopRound: (taskId: string) => void;
  /** the task's silence clock (if any) stops */
  stopClock: (taskId: string) => void;
}

export class TaskQueue {
  constructor(private readonly deps: TaskQueueDeps) {}

  /** stores a new QUEUED task, watches its lock space and announces it; it is not evaluated yet */
  post(fields: TaskPosting): TaskInfo {
    const { store, clock } = this.deps;
    const at = clock.now();
    const why = fields.criticOf ? `review of ${fields.criticOf}` : `posted by ${fields.createdBy}`;
    const task: TaskFields = {
      ...fields,
      id: taskIds.next((id) => store.get(id) !== null),
      state: 'QUEUED',
      stateReason: why,
      assigneeId: null,
      assigneeName: null,
      terminalId: null,
      attempts: 0,
      note: null,
      createdAt: at,
      updatedAt: at,
    };
    const transition: TaskTransition = { from: null, to: 'QUEUED', by: fields.createdBy, why, at };
    const info = store.insert(task, transition);
    this.deps.binder.watch(info.root);
    this.deps.journal.announce(info, transition);
    return info;
  }

  /** posts and evaluates the review of `done`, a completed task that asked for a critic */
  postCritic(done: TaskInfo, summary: string): void {
    const critic = this.post({
      project: done.project,
      root: done.root,
      title: taskText.criticTitle(done),
      prompt: taskText.criticPrompt(done, summary),
      files: done.files,
      capabilities: ['review'],
      priority: done.priority,
      dependsOn: [],
      criticRequired: false,
      criticOf: done.id,
      createdBy: 'devmesh',
    });
    this.evaluate(critic);
  }

  /** a QUEUED task: opens it for bids when its dependencies are done and an agent can take it */
  evaluate(task: TaskInfo): TaskInfo {
    if (task.state !== 'QUEUED') return task;
    const { journal, eligibility } = this.deps;
    const unmet = this.unmet(task);
    if (unmet.length > 0) return journal.explain(task, `waits for ${unmet.join(', ')}`);
    const eligible = eligibility.eligible(task, this.deps.live());
    if (eligible.length === 0) return journal.explain(task, eligibility.whyNobody(task, this.deps.live()));
    return this.open(task, 'devmesh', `offered to ${eligible.map((a) => a.name).join(', ')}`, null);
  }

  evaluateAll(): void {
    for (const t of this.deps.store.listIn(['QUEUED'])) this.evaluate(t);
  }

  /** QUEUED → BIDDING, inviting every eligible agent but `except` */
  open(task: TaskInfo, by: string, why: string, except: string | null): TaskInfo {
    const open = this.deps.journal.transition(task, 'BIDDING', by, why);
    for (const a of this.deps.eligibility.eligible(open, this.deps.live()))
      if (a.id !== except) this.deps.journal.invite(a.id, open);
    return open;
  }

  abandon(task: TaskInfo, by: string, why: string): void {
    const { store, journal, binder } = this.deps;
    this.deps.stopRound(task.id);
    this.deps.stopClock(task.id);
    const holder = task.assigneeId;
    const gone = journal.transition(task, 'ABANDONED', by, why);
    store.clearBids(task.id);
    if (holder !== null) binder.release(gone, holder, why);
    const again = journal.transition(this.deps.must(task.id), 'QUEUED', 'devmesh', `re-queued: ${why}`, {
      assigneeId: null,
      assigneeName: null,
      terminalId: null,
    });
    this.evaluate(again);
  }

  /** the dependencies of `task` not COMPLETED yet, each with its state */
  unmet(task: TaskInfo): string[] {
    return task.dependsOn
      .map((d) => [d, this.deps.store.get(d)?.state ?? 'missing'] as const)
      .filter(([, s]) => s !== 'COMPLETED')
      .map(([d, s]) => `${d} (${s})`);
  }
}
