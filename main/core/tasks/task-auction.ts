// The bidding rounds of BIDDING tasks: a window per task from its first bid, the award by score with the
// task's INTENT locks taken in the same step, and the rounds that closed without a servable bid, tried
// again when their files may have freed. The board opens a task for bids (QUEUED → BIDDING) and stores
// each bid; this class decides when a round closes and who wins it.
//
// Decisions:
// - The bidding window opens at the FIRST bid and closes after windowMs, or at once when every eligible
//   agent has bid. Loads are counted again at the award (they may have changed since the bid) and the
//   stored bids are updated, so the breakdown shown is the one that decided.
// - A task whose window closed without a servable bid stays BIDDING (the reason names the file and its
//   holder); it is tried again, higher priority first, whenever a lock of its space is released or
//   expires, and at once on any new bid.
// - An agent that exits loses its bids; a round whose remaining bids are now every eligible agent's is
//   decided at once.
// - Restart: a BIDDING task with bids resumes its window, which still ends windowMs after the first bid.
// - When linked teammates share the project, a bidder's INTENT locks are taken by a mesh round (all or none,
//   refused at once by a teammate's conflicting lock): the task stays BIDDING until it answers, then is CLAIMED
//   or the next bid is tried. Bids placed meanwhile are decided once the round is over; a task cancelled or a
//   bidder gone meanwhile gives the round's locks back.
import type { AgentRecord } from '../../../shared/agent.js';
import type { Logger } from 'pino';
import type { Bid, TaskInfo } from '../../../shared/task.js';
import type { Disposable } from '../base/disposable.js';
import type { LockClock, LockTimer } from '../locks/lock-clock.js';
import * as awardScore from './award-score.js';
import type { TaskEligibility } from './task-eligibility.js';
import type { TaskJournal } from './task-journal.js';
import type { TakeResult, TaskLockBinder } from './task-lock-binder.js';
import type { TaskStore } from './task-store.js';

export interface TaskAuctionDeps {
  store: TaskStore;
  clock: LockClock;
  journal: TaskJournal;
  eligibility: TaskEligibility;
  binder: TaskLockBinder;
  /** agents not exited */
  live: () => AgentRecord[];
  /** bids are taken this long after the first bid, or until every eligible agent bid */
  windowMs: number;
  /** the task is CLAIMED by `agent`, its locks taken and the award recorded */
  onAwarded: (claimed: TaskInfo, agent: AgentRecord) => void;
  /** may the award be decided now (the audit chain can record it)? If not, it waits another window */
  canDecide: () => boolean;
  /** the agent's load for the score (the store's count, plus what it carries on its own machine) */
  load: (agentId: string) => number;
  logger?: Logger;
}

export class TaskAuction implements Disposable {
  /** BIDDING tasks whose window is open */
  private readonly windows = new Map<string, LockTimer>();
  /** BIDDING tasks whose window closed with no servable bid: tried again when locks free or a bid comes */
  private readonly closed = new Set<string>();
  /** BIDDING tasks whose award waits for the mesh's round on their locks; decided again after if marked so */
  private readonly awarding = new Set<string>();
  private readonly awardAgain = new Set<string>();
  private retrying = false;
  private retryAgain = false;
  private disposed = false;

  constructor(private readonly deps: TaskAuctionDeps) {}

  /** A bid for `task` was stored: decides the round now, or opens its window at the first bid. */
  bidPlaced(task: TaskInfo): void {
    if (this.awarding.has(task.id)) this.awardAgain.add(task.id);
    else if (this.closed.has(task.id) || this.allBid(task)) this.award(task.id);
    else if (!this.windows.has(task.id)) this.openWindow(task.id, this.deps.windowMs);
  }

  /** An agent exited: its bids go, and rounds whose other eligible agents have all bid are decided. */
  withdraw(agentId: string): void {
    for (const t of this.deps.store.listIn(['BIDDING'])) {
      if (!this.deps.store.deleteBid(t.id, agentId)) continue;
      const fresh = this.deps.store.get(t.id);
      if (fresh) this.deps.journal.publish(fresh, null);
      if (this.allBid(t)) this.award(t.id);
    }
  }

  /** After a restart: a BIDDING task's window ends where it would have (first bid + windowMs). */
  resume(task: TaskInfo, now: number): void {
    const bids = this.deps.store.bids(task.id);
    if (bids.length > 0)
      this.openWindow(task.id, Math.max(0, Math.min(...bids.map((b) => b.at)) + this.deps.windowMs - now));
  }

  /** The task left BIDDING (or is leaving it) by another way than an award: its round is over. */
  stop(taskId: string): void {
    this.windows.get(taskId)?.cancel();
    this.windows.delete(taskId);
    this.closed.delete(taskId);
    this.awardAgain.delete(taskId);
  }

  /** Tasks whose window closed without a servable bid, in the space at `root`, higher priority first. */
  retryClosed(root: string): void {
    if (this.disposed) return;
    if (this.retrying) {
      this.retryAgain = true;
      return;
    }
    this.retrying = true;
    try {
      do {
        this.retryAgain = false;
        for (const t of this.deps.store.listIn(['BIDDING']))
          if (this.closed.has(t.id) && t.root === root) this.award(t.id);
      } while (this.retryAgain);
    } finally {
      this.retrying = false;
    }
  }

  /** Every round that closed without a servable bid: locks may have freed on a teammate's machine. */
  retryAllClosed(): void {
    if (this.closed.size === 0) return;
    const roots = new Set(
      this.deps.store
        .listIn(['BIDDING'])
        .filter((t) => this.closed.has(t.id))
        .map((t) => t.root),
    );
    for (const root of roots) this.retryClosed(root);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const timer of this.windows.values()) timer.cancel();
    this.windows.clear();
  }

  private openWindow(taskId: string, delayMs: number): void {
    this.windows.get(taskId)?.cancel();
    this.windows.set(
      taskId,
      this.deps.clock.schedule(() => {
        this.windows.delete(taskId);
        // nothing is decided that the chain could not record (a full disk): the award waits a window
        if (!this.deps.canDecide()) return this.openWindow(taskId, this.deps.windowMs);
        try {
          this.award(taskId);
        } catch (err) {
          this.openWindow(taskId, this.deps.windowMs); // the store failed before the award took effect: try again
          throw err; // the clock reports it
        }
      }, delayMs),
    );
  }

  /** every eligible running agent has a bid in */
  private allBid(task: TaskInfo): boolean {
    const eligible = this.deps.eligibility.eligible(task, this.deps.live());
    const bidders = new Set(this.deps.store.bids(task.id).map((b) => b.agentId));
    return eligible.length > 0 && eligible.every((a) => bidders.has(a.id));
  }

  /** Bids in score order; the first whose agent can take every file's INTENT lock at once wins. */
  private award(taskId: string): void {
    if (this.disposed) return;
    if (this.awarding.has(taskId)) {
      this.awardAgain.add(taskId); // a bid or a freed lock while the mesh decides: decided again if it fails
      return;
    }
    const { store } = this.deps;
    const task = store.get(taskId);
    if (!task || task.state !== 'BIDDING') return;
    this.stop(taskId);
    const bids = awardScore.rank(
      store.bids(taskId).map((b) => ({
        ...b,
        ...awardScore.compute(task.capabilities, b.capabilities, this.deps.load(b.agentId), b.estimateMinutes),
      })),
    );
    for (const b of bids) store.putBid(b);
    this.tryBids(task, bids, 0, []);
  }

  /**
   * Tries the bids from `from` on. A bidder's locks are taken here at once, or, when teammates share the
   * project, by a mesh round: the task stays BIDDING meanwhile and the award goes on when the round answers.
   */
  private tryBids(task: TaskInfo, bids: Bid[], from: number, refusals: string[]): void {
    const live = new Map(this.deps.live().map((a) => [a.id, a]));
    for (let n = from; n < bids.length; n++) {
      const bid = bids[n]!;
      const agent = live.get(bid.agentId);
      if (!agent || this.deps.eligibility.whyNot(task, agent) !== null) continue;
      const took = this.deps.binder.take(task, agent.id);
      if (took instanceof Promise) {
        this.awarding.add(task.id);
        took
          .then((result) => this.afterRound(task.id, bids, n, refusals, agent, result))
          .catch((err: unknown) => this.roundFailed(task.id, err));
        return;
      }
      if (took.ok) return this.claim(task, bids, bid, agent, took.lockIds);
      refusals.push(took.message);
    }
    this.closed.add(task.id);
    this.deps.journal.explain(
      task,
      refusals.length > 0
        ? `no bidder can take its files yet: ${refusals.join('; ')}`
        : 'every bidder has left; waiting for a new bid',
    );
  }

  /** The mesh answered bid `n`'s round: the award goes on unless the task or its bidder is gone meanwhile. */
  private afterRound(
    taskId: string,
    bids: Bid[],
    n: number,
    refusals: string[],
    agent: AgentRecord,
    took: TakeResult,
  ): void {
    this.awarding.delete(taskId);
    const again = this.awardAgain.delete(taskId);
    const task = this.deps.store.get(taskId);
    if (took.ok) {
      const stillLive = this.deps.live().some((a) => a.id === agent.id);
      if (task?.state === 'BIDDING' && stillLive && !this.disposed && this.deps.canDecide())
        return this.claim(task, bids, bids[n]!, agent, took.lockIds);
      // cancelled, bidder gone or shutting down meanwhile: the locks go back; a task still open is tried again
      if (task) {
        this.deps.store.addLocks(taskId, took.lockIds);
        this.deps.binder.release(task, agent.id, 'the award did not complete');
      }
    } else refusals.push(took.message);
    if (this.disposed || task?.state !== 'BIDDING') return;
    if (again) return this.award(taskId);
    this.tryBids(task, bids, n + 1, refusals);
  }

  /**
   * A round's answer could not be applied (the store failed): the round opens again in a window. The end of a
   * promise chain, so it never throws: a log on the same full disk must not leave the task BIDDING for good,
   * nor reject unhandled (the daemon exits on that).
   */
  private roundFailed(taskId: string, err: unknown): void {
    this.awarding.delete(taskId);
    this.awardAgain.delete(taskId);
    if (!this.disposed) this.openWindow(taskId, this.deps.windowMs);
    try {
      const why = err instanceof Error ? err.message : String(err);
      this.deps.logger?.error({ domain: 'tasks', task: taskId, err: why }, 'a task award failed');
    } catch (logErr) {
      process.emitWarning(`devmesh: a task award failed (${String(err)}), and so did its log line: ${String(logErr)}`);
    }
  }

  private claim(task: TaskInfo, bids: Bid[], bid: Bid, agent: AgentRecord, lockIds: string[]): void {
    const { store, journal } = this.deps;
    store.addLocks(task.id, lockIds);
    const claimed = journal.transition(
      task,
      'CLAIMED',
      'devmesh',
      `awarded to ${agent.name} (score ${bid.score.toFixed(3)} of ${bids.length} bid${bids.length === 1 ? '' : 's'})`,
      {
        assigneeId: agent.id,
        assigneeName: agent.name,
        terminalId: agent.terminalId,
        attempts: task.attempts + 1,
      },
    );
    journal.record({
      actor: 'devmesh',
      kind: 'task.awarded',
      subject: task.id,
      data: {
        title: task.title,
        assignee: agent.name,
        assigneeId: agent.id,
        score: bid.score,
        match: bid.match,
        load: bid.load,
        estimateMinutes: bid.estimateMinutes,
        bids: bids.map((b) => ({
          agent: b.agentName,
          score: b.score,
          match: b.match,
          load: b.load,
          estimateMinutes: b.estimateMinutes,
        })),
        lockIds,
      },
    });
    this.deps.onAwarded(claimed, agent);
  }
}
