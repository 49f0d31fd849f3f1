// The task command center: tasks are posted, offered to the agents working in their project, bid for,
// awarded by score with INTENT locks on their files taken in the same step, typed into the winner's
// terminal, and followed to their end. The lifecycle and the score are documented in shared/task.ts.
//
// Decisions:
// - Eligible agents: running agents whose root (worktree repository, else cwd) is the task's root after
//   resolving, or that were started for the task's project id. A critic task excludes the assignee of
//   the task it reviews.
// - Parts with their own decisions, in their files: bidding rounds (the window, the award with the INTENT
//   locks, the retry of rounds closed without a servable bid) in task-auction.ts; when an awarded prompt
//   is typed in task-delivery.ts; silence (last activity, silence clocks, the sweep) in agent-activity.ts,
//   the board abandoning the tasks it finds; who acts and who may change a task in task-actors.ts; posting,
//   opening for bids and abandoning (re-queuing) in task-queue.ts; what a restart does in task-recovery.ts;
//   what an agent's exit, crash, loss or first sight does to its tasks in task-agent-follower.ts.
import type { AgentRecord, AgentStatusEvent } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import { FINAL_TASK_STATES, type Bid, type TaskDetail, type TaskInfo } from '../../../shared/task.js';
import type { Disposable } from '../base/disposable.js';
import { SystemLockClock, type LockClock } from '../locks/lock-clock.js';
import { AgentActivity } from './agent-activity.js';
import * as awardScore from './award-score.js';
import { TaskActors } from './task-actors.js';
import { TaskAgentFollower } from './task-agent-follower.js';
import { TaskAuction } from './task-auction.js';
import { TaskDelivery } from './task-delivery.js';
import { TaskEligibility } from './task-eligibility.js';
import { TaskJournal } from './task-journal.js';
import { TaskLockBinder } from './task-lock-binder.js';
import { TaskQueue } from './task-queue.js';
import { ACTIVE_TASK_STATES, recoverTasks } from './task-recovery.js';
import type { TaskStore } from './task-store.js';
import type {
  TaskBid,
  TaskBoardDeps,
  TaskCancel,
  TaskClaim,
  TaskComplete,
  TaskCreate,
  TaskListFilter,
  TaskUpdate,
} from './task-board-deps.js';
import * as taskText from './task-text.js';

export type {
  TaskAgentPort,
  TaskBid,
  TaskBoardDeps,
  TaskCancel,
  TaskClaim,
  TaskComplete,
  TaskCreate,
  TaskListFilter,
  TaskUpdate,
} from './task-board-deps.js';

export class TaskBoard implements Disposable {
  private readonly store: TaskStore;
  private readonly clock: LockClock;
  private readonly binder: TaskLockBinder;
  private readonly eligibility: TaskEligibility;
  private readonly journal: TaskJournal;
  private readonly auction: TaskAuction;
  private readonly activity: AgentActivity;
  private readonly delivery: TaskDelivery;
  private readonly actors: TaskActors;
  private readonly queue: TaskQueue;
  private readonly follower: TaskAgentFollower;
  private disposed = false;

  constructor(private readonly deps: TaskBoardDeps) {
    this.store = deps.store;
    this.clock = deps.clock ?? new SystemLockClock();
    const live = (): AgentRecord[] => deps.agents.live();
    this.journal = new TaskJournal({
      store: deps.store,
      clock: this.clock,
      audit: deps.audit,
      emit: deps.emit,
      notify: deps.notify,
      logger: deps.logger,
    });
    this.eligibility = new TaskEligibility((id) => this.store.get(id)?.assigneeId ?? null);
    this.binder = new TaskLockBinder({
      locks: deps.locks,
      acquireAll: deps.acquireAll,
      store: this.store,
      onFreed: (root) => this.auction.retryClosed(root),
      logger: deps.logger,
    });
    this.activity = new AgentActivity({
      store: this.store,
      clock: this.clock,
      live,
      silentAfterMs: deps.silentAfterMs ?? 10 * 60_000,
      abandon: (task, why) => this.queue.abandon(task, 'devmesh', why),
    });
    this.actors = new TaskActors(
      (ref) => deps.agents.find(ref),
      (id) => this.activity.seen(id),
    );
    this.delivery = new TaskDelivery({
      store: this.store,
      journal: this.journal,
      find: (id) => deps.agents.find(id),
      type: (id, text) => deps.agents.deliver(id, text),
      onDelivered: (id) => this.activity.seen(id),
    });
    this.auction = new TaskAuction({
      store: this.store,
      clock: this.clock,
      journal: this.journal,
      eligibility: this.eligibility,
      binder: this.binder,
      live,
      windowMs: deps.biddingWindowMs ?? 5_000,
      canDecide: deps.canDecide ?? (() => true),
      load: (id) => this.load(id),
      logger: deps.logger,
      onAwarded: (claimed, agent) => {
        this.activity.startClock(claimed.id);
        this.delivery.deliver(claimed, agent);
      },
    });
    this.queue = new TaskQueue({
      store: this.store,
      clock: this.clock,
      journal: this.journal,
      eligibility: this.eligibility,
      binder: this.binder,
      live,
      must: (id) => this.must(id),
      stopRound: (id) => this.auction.stop(id),
      stopClock: (id) => this.activity.stopClock(id),
    });
    this.follower = new TaskAgentFollower({
      store: this.store,
      journal: this.journal,
      eligibility: this.eligibility,
      activity: this.activity,
      auction: this.auction,
      delivery: this.delivery,
      queue: this.queue,
      find: (id) => deps.agents.find(id),
    });
    recoverTasks({
      store: this.store,
      clock: this.clock,
      live,
      binder: this.binder,
      activity: this.activity,
      auction: this.auction,
      queue: this.queue,
      failed: (what, err) => this.failed(what, err),
      logger: deps.logger,
    });
    this.activity.start();
  }

  create(input: TaskCreate): TaskInfo {
    this.alive();
    const project = this.deps.projects.resolve(input.project);
    const missing = input.dependsOn.filter((d) => this.store.get(d) === null);
    if (missing.length > 0)
      throw new DevMeshError(
        'BAD_REQUEST',
        `task create: unknown dependencies ${missing.join(', ')}; list tasks with \`devmesh task ls\``,
      );
    this.binder.validate(project.root, input.files);
    const task = this.queue.post({
      project: project.id,
      root: project.root,
      title: input.title,
      prompt: input.prompt,
      files: input.files,
      capabilities: [...new Set(input.capabilities)],
      priority: input.priority,
      dependsOn: [...new Set(input.dependsOn)],
      criticRequired: input.criticRequired,
      criticOf: null,
      createdBy: input.by,
    });
    return this.queue.evaluate(task);
  }

  list(filter: TaskListFilter = {}): TaskInfo[] {
    let tasks = filter.states === undefined ? this.store.list() : this.store.listIn(filter.states);
    if (filter.project !== undefined) {
      const ref = filter.project;
      let match: { id: string; root: string } = { id: ref, root: ref };
      try {
        match = this.deps.projects.resolve(ref);
      } catch (err) {
        // a closed project's tasks still list by the id or root they were posted under
        this.deps.logger?.debug(
          { domain: 'tasks', project: ref, err: (err as Error).message },
          'task list: project not open',
        );
      }
      tasks = tasks.filter((t) => t.project === match.id || TaskEligibility.samePath(t.root, match.root));
    }
    if (filter.assignee !== undefined) {
      const id = this.deps.agents.find(filter.assignee)?.id ?? filter.assignee;
      tasks = tasks.filter((t) => t.assigneeId === id || t.assigneeName === filter.assignee);
    }
    return tasks;
  }

  get(id: string): TaskDetail {
    const detail = this.store.detail(id);
    if (!detail) throw TaskBoard.notFound(id);
    return detail;
  }

  cancel(input: TaskCancel): TaskInfo {
    this.alive();
    const task = this.must(input.task);
    if (FINAL_TASK_STATES.includes(task.state))
      throw new DevMeshError(
        'CONFLICT',
        `task ${task.id} is already ${task.state}; only an open task can be cancelled`,
      );
    this.auction.stop(task.id);
    const done = this.journal.transition(task, 'CANCELLED', input.by, input.reason ?? `cancelled by ${input.by}`);
    if (task.assigneeId !== null) this.binder.release(done, task.assigneeId, 'task cancelled');
    this.queue.evaluateAll();
    return this.must(task.id);
  }

  bid(input: TaskBid): Bid {
    this.alive();
    let task = this.must(input.task);
    const agent = this.actors.agent(input.agent);
    const why = this.eligibility.whyNot(task, agent);
    if (why) throw new DevMeshError('CONFLICT', `${agent.name} cannot bid for ${task.id}: ${why}`);
    if (task.state === 'QUEUED') {
      const unmet = this.queue.unmet(task);
      if (unmet.length > 0)
        throw new DevMeshError('CONFLICT', `task ${task.id} is not open for bids: it waits for ${unmet.join(', ')}`);
      task = this.queue.open(task, agent.id, `${agent.name} bid`, agent.id);
    } else if (task.state !== 'BIDDING') {
      throw new DevMeshError(
        'CONFLICT',
        `task ${task.id} is ${task.state}${TaskBoard.assignedTo(task)}; bidding is closed (see \`devmesh task show ${task.id}\`)`,
      );
    }
    this.activity.seen(agent.id);
    const parts = awardScore.compute(task.capabilities, input.capabilities, this.load(agent.id), input.estimateMinutes);
    const bid: Bid = {
      task: task.id,
      agentId: agent.id,
      agentName: agent.name,
      capabilities: input.capabilities,
      estimateMinutes: input.estimateMinutes,
      note: input.note ?? null,
      ...parts,
      at: this.clock.now(),
    };
    this.journal.bid(task, bid);
    this.journal.publish(this.must(task.id), null);
    this.auction.bidPlaced(task);
    return bid;
  }

  /**
   * Tasks whose round closed because no bidder could take their files are tried again: the locks teammates hold
   * changed (their presence), and a teammate's conflicting lock may be gone.
   */
  retryWaiting(): void {
    if (!this.disposed) this.auction.retryAllClosed();
  }

  claim(input: TaskClaim): TaskInfo {
    this.alive();
    const task = this.must(input.task);
    const agent = this.actors.agent(input.agent);
    if (task.assigneeId === agent.id && (task.state === 'CLAIMED' || task.state === 'WORKING')) {
      this.activity.seen(agent.id);
      return task.state === 'CLAIMED'
        ? this.journal.transition(task, 'WORKING', agent.id, `${agent.name} claimed it`)
        : task;
    }
    if (task.state === 'BIDDING' || task.state === 'QUEUED') {
      this.bid({ task: task.id, agent: agent.id, capabilities: [], estimateMinutes: 30 });
      return this.must(task.id);
    }
    throw new DevMeshError(
      'CONFLICT',
      `task ${task.id} is ${task.state}${TaskBoard.assignedTo(task)}; ${agent.name} can claim it only when it is awarded to it or open for bids`,
    );
  }

  update(input: TaskUpdate): TaskInfo {
    this.alive();
    const task = this.must(input.task);
    const actor = this.actors.actor(input.agent);
    this.actors.mayChange(task, actor, 'update');
    if (!ACTIVE_TASK_STATES.includes(task.state)) {
      throw new DevMeshError(
        'CONFLICT',
        `task ${task.id} is ${task.state}: only a CLAIMED, WORKING or PAUSED task can be updated`,
      );
    }
    let t =
      input.note !== undefined ? this.store.update(task.id, { note: input.note, updatedAt: this.clock.now() }) : task;
    if (input.state === 'RELEASE') {
      this.queue.abandon(t, actor.id, `released by ${actor.name}${input.note ? `: ${input.note}` : ''}`);
      return this.must(task.id);
    }
    if (input.state !== undefined && input.state !== t.state) {
      t = this.journal.transition(
        t,
        input.state,
        actor.id,
        input.note ?? `${input.state === 'PAUSED' ? 'paused' : 'working'}, said ${actor.name}`,
      );
    } else if (input.note !== undefined) {
      this.journal.publish(t, null);
    }
    return t;
  }

  complete(input: TaskComplete): TaskInfo {
    this.alive();
    const task = this.must(input.task);
    const actor = this.actors.actor(input.agent);
    if (FINAL_TASK_STATES.includes(task.state))
      throw new DevMeshError('CONFLICT', `task ${task.id} is already ${task.state}`);
    this.actors.mayChange(task, actor, 'complete');
    this.auction.stop(task.id);
    this.activity.stopClock(task.id);
    const summary = input.summary.trim();
    const why =
      summary === ''
        ? `${input.outcome.toLowerCase()}, said ${actor.name}`
        : `${input.outcome.toLowerCase()}: ${taskText.oneLine(summary).slice(0, 300)}`;
    const done = this.journal.transition(task, input.outcome, actor.id, why, summary === '' ? {} : { note: summary });
    if (task.assigneeId !== null) this.binder.release(done, task.assigneeId, `task ${input.outcome.toLowerCase()}`);
    if (input.outcome === 'COMPLETED' && done.criticRequired) this.queue.postCritic(done, summary);
    this.queue.evaluateAll();
    if (task.assigneeId !== null) this.delivery.next(task.assigneeId);
    return this.must(task.id);
  }

  agentStatusChanged(event: AgentStatusEvent): void {
    if (!this.disposed) this.follower.statusChanged(event);
  }

  /**
   * An agent crashed and is being relaunched (agent.supervised): its WORKING tasks go back to CLAIMED, so each
   * prompt is typed again once the relaunched agent is idle at its prompt. It keeps them and their locks.
   */
  agentCrashed(agentId: string, name: string, why: string): void {
    if (!this.disposed) this.follower.crashed(agentId, name, why);
  }

  /**
   * An agent that is not ours is gone (a teammate's machine unreachable past its grace, or it said goodbye):
   * its active tasks are abandoned and re-queued with `why`, its bids withdrawn, as for an agent that exited.
   */
  agentGone(agentId: string, why: string): void {
    if (!this.disposed) this.follower.gone(agentId, why);
  }

  /** output or an API call of the agent: it is not silent */
  agentActivity(agentId: string): void {
    this.activity.seen(agentId);
  }

  /** Abandons CLAIMED/WORKING tasks whose agent is gone or silent; also runs from its own timer. */
  sweep(): number {
    if (this.disposed) return 0;
    return this.activity.sweep();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.auction.dispose();
    this.activity.dispose();
    this.binder.dispose();
  }

  // ── lookups ──────────────────────────────────────────────────────────────────────────────────────

  private must(id: string): TaskInfo {
    const task = this.store.get(id);
    if (!task) throw TaskBoard.notFound(id);
    return task;
  }

  private load(agentId: string): number {
    return this.store.load(agentId) + (this.deps.extraLoad?.(agentId) ?? 0);
  }

  /** A background step failed: the end of a promise chain, so it never throws (the daemon exits on that). */
  private failed(what: string, err: unknown): void {
    const why = err instanceof Error ? err.message : String(err);
    try {
      this.deps.logger?.error({ domain: 'tasks', err: why }, `task board: ${what} failed`);
    } catch (logErr) {
      process.emitWarning(`devmesh: task board: ${what} failed (${why}), and so did its log line: ${String(logErr)}`);
    }
  }

  private alive(): void {
    if (this.disposed) throw new DevMeshError('SHUTTING_DOWN', 'the task board is shut down; DevMesh is stopping');
  }

  private static assignedTo(task: TaskInfo): string {
    return task.assigneeName ? ` (assigned to ${task.assigneeName})` : '';
  }

  private static notFound(id: string): DevMeshError {
    return new DevMeshError('TASK_NOT_FOUND', `no task ${id}; list tasks with \`devmesh task ls\``);
  }
}
