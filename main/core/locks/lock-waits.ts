// The waiting side of a lock space: a request that cannot be granted now queues (LockQueue's order) with its
// own timeout; waiters are granted as soon as nothing held or queued ahead stands in their way; one that
// times out is refused naming what still blocks it; and a queued request that closes a cycle in the wait-for
// graph is a deadlock: the youngest waiter in the cycle is refused (see lock-manager.ts for the decisions).
import { DevMeshError, type ErrorInfo } from '../../../shared/errors.js';
import type { LockEvent, LockInfo, LockMode, LockWaiter } from '../../../shared/lock.js';
import type { LockClock } from './lock-clock.js';
import type { HeldLock } from './lock-index.js';
import type { LockQueue, Waiter } from './lock-queue.js';
import * as lockWords from './lock-words.js';
import type { ResolvedTarget } from './target-overlap.js';
import { WaitForGraph } from './wait-for-graph.js';

export interface LockWaitsDeps {
  queue: LockQueue;
  clock: LockClock;
  /** the locks of other holders that a `mode` request by `holder` on `target` conflicts with now */
  heldBlockers: (holder: string, mode: LockMode, target: ResolvedTarget) => HeldLock[];
  /** grants (or converts) a waiter's lock now that it is free; `waitedMs` is how long it queued */
  grant: (w: Waiter, waitedMs: number) => LockInfo;
  /** the refusal of a request, naming the locks held and the `queued` requests in its way */
  refusal: (holder: string, mode: LockMode, target: ResolvedTarget, isWords: string, queued: Waiter[]) => ErrorInfo;
  emit: (event: LockEvent) => void;
}

/** a request that queues: who asks what, how its grant sets the TTL, and whether it converts a lock it has */
export type WaitRequest = Pick<Waiter, 'holder' | 'mode' | 'target' | 'ttl' | 'taker' | 'upgrade'>;

export class LockWaits {
  private nextSeq = 1;

  constructor(private readonly deps: LockWaitsDeps) {}

  enqueue(
    request: WaitRequest,
    waitMs: number,
    resolve: (l: LockInfo) => void,
    reject: (e: DevMeshError) => void,
  ): void {
    const { queue, clock } = this.deps;
    const now = clock.now();
    const seq = this.nextSeq++;
    const w: Waiter = {
      id: `wait-${seq}`,
      seq,
      ...request,
      enqueuedAt: now,
      deadline: now + waitMs,
      resolve,
      reject,
      timer: clock.schedule(() => this.timeOut(w), waitMs),
    };
    queue.push(w);
    this.deps.emit({ type: 'queued', ts: now, waiter: this.info(w, queue.ahead(w)) });
    this.breakDeadlocks(w);
  }

  /** Grants every waiter that is now free, in queue order. */
  pump(): void {
    const { queue, heldBlockers } = this.deps;
    const ahead: Waiter[] = [];
    for (const w of queue.line()) {
      if (
        heldBlockers(w.holder, w.mode, w.target).length > 0 ||
        queue.blockers(w.holder, w.mode, w.target, w.upgrade, ahead).length > 0
      ) {
        ahead.push(w);
        continue;
      }
      queue.remove(w);
      w.resolve(this.deps.grant(w, this.deps.clock.now() - w.enqueuedAt));
    }
  }

  /** Takes `w` out of the line and rejects it with `err`. */
  refuse(w: Waiter, err: DevMeshError): void {
    this.deps.queue.remove(w);
    this.deps.emit({
      type: 'refused',
      ts: this.deps.clock.now(),
      holder: w.holder,
      mode: w.mode,
      target: w.target.shown,
      error: err.toInfo(),
    });
    w.reject(err);
  }

  /** every waiter in serving order, with the holders each one waits on */
  snapshot(): LockWaiter[] {
    const line = this.deps.queue.line();
    return line.map((w, i) => this.info(w, line.slice(0, i)));
  }

  private timeOut(w: Waiter): void {
    const { queue } = this.deps;
    if (!queue.has(w)) return;
    const queued = queue.blockers(w.holder, w.mode, w.target, w.upgrade, queue.ahead(w));
    const error = this.deps.refusal(w.holder, w.mode, w.target, 'it is still', queued);
    this.refuse(
      w,
      new DevMeshError(
        'TIMEOUT',
        `${w.holder} waited ${w.deadline - w.enqueuedAt} ms and gave up: ${error.message}`,
        error.details,
      ),
    );
    this.pump();
  }

  private breakDeadlocks(newest: Waiter): void {
    const { queue, heldBlockers } = this.deps;
    for (;;) {
      const graph = new WaitForGraph<Waiter>();
      const line = queue.line();
      line.forEach((w, i) => {
        for (const l of heldBlockers(w.holder, w.mode, w.target))
          graph.add({ from: w.holder, to: l.holder, waiter: w, label: lockWords.describe(l.mode, l.target) });
        for (const q of queue.blockers(w.holder, w.mode, w.target, w.upgrade, line.slice(0, i))) {
          graph.add({
            from: w.holder,
            to: q.holder,
            waiter: w,
            label: `queued for ${lockWords.describe(q.mode, q.target)}`,
          });
        }
      });
      const cycle = graph.cycleThrough(newest.holder);
      if (!cycle) return;
      const youngest = cycle.reduce((a, e) => (e.waiter.seq > a.seq ? e.waiter : a), cycle[0]!.waiter);
      this.refuse(
        youngest,
        new DevMeshError(
          'CONFLICT',
          `deadlock: ${WaitForGraph.describe(cycle)}. Refused ${youngest.holder}'s request for ${lockWords.describe(youngest.mode, youngest.target)}, the youngest in the cycle; release a lock or retry once the others finish`,
          { reason: 'deadlock', cycle: cycle.map((e) => ({ from: e.from, to: e.to, waiting: e.label })) },
        ),
      );
      if (youngest === newest) return;
      this.pump();
      if (!queue.has(newest)) return;
    }
  }

  private info(w: Waiter, ahead: readonly Waiter[]): LockWaiter {
    const blockedBy = new Set([
      ...this.deps.heldBlockers(w.holder, w.mode, w.target).map((l) => l.holder),
      ...this.deps.queue.blockers(w.holder, w.mode, w.target, w.upgrade, ahead).map((q) => q.holder),
    ]);
    return {
      id: w.id,
      holder: w.holder,
      mode: w.mode,
      target: w.target.shown,
      upgrade: w.upgrade,
      enqueuedAt: w.enqueuedAt,
      deadline: w.deadline,
      blockedBy: [...blockedBy],
    };
  }
}
