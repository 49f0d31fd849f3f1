// The waiting line of a lock space: conversions (a holder changing the mode of a lock it has) go before
// every plain request, and each kind is served first in, first out. A request never passes an earlier
// waiter of another holder whose request overlaps and conflicts with it either way round, so a stream of
// readers cannot starve a writer (see lock-manager.ts for the decisions around it).
import type { DevMeshError } from '../../../shared/errors.js';
import type { LockInfo, LockMode } from '../../../shared/lock.js';
import type { LockTimer } from './lock-clock.js';
import { conflictsBothWays } from './lock-matrix.js';
import * as targetOverlap from './target-overlap.js';
import type { ResolvedTarget } from './target-overlap.js';

/** the TTL a grant sets: `named` replaces an existing lock's, `fresh` is a new lock's when none is named */
export interface TtlChoice {
  named: number | undefined;
  fresh: number;
}

export interface Waiter {
  id: string;
  seq: number;
  holder: string;
  mode: LockMode;
  target: ResolvedTarget;
  ttl: TtlChoice;
  taker: string;
  upgrade: boolean;
  enqueuedAt: number;
  deadline: number;
  timer: LockTimer;
  resolve: (lock: LockInfo) => void;
  reject: (err: DevMeshError) => void;
}

export class LockQueue {
  private readonly upgrades: Waiter[] = [];
  private readonly plain: Waiter[] = [];

  /** every waiter in the order they are served */
  line(): Waiter[] {
    return [...this.upgrades, ...this.plain];
  }

  /** the waiters served before `w` (empty when it is not queued) */
  ahead(w: Waiter): Waiter[] {
    const line = this.line();
    const i = line.indexOf(w);
    return i < 0 ? [] : line.slice(0, i);
  }

  push(w: Waiter): void {
    (w.upgrade ? this.upgrades : this.plain).push(w);
  }

  has(w: Waiter): boolean {
    return (w.upgrade ? this.upgrades : this.plain).includes(w);
  }

  /** Takes `w` out of the line and cancels its timeout. */
  remove(w: Waiter): void {
    w.timer.cancel();
    const line = w.upgrade ? this.upgrades : this.plain;
    const i = line.indexOf(w);
    if (i >= 0) line.splice(i, 1);
  }

  /** the waiters of `holder` (only those `taker` queued, when named) */
  of(holder: string, taker?: string): Waiter[] {
    return this.line().filter((w) => w.holder === holder && (taker === undefined || w.taker === taker));
  }

  /**
   * Waiters of other holders queued ahead of a `mode` request by `holder` on `target` whose requests conflict
   * with it. `ahead` is the part of the line before it (default: all of it, or the conversions for one).
   */
  blockers(
    holder: string,
    mode: LockMode,
    target: ResolvedTarget,
    upgrade: boolean,
    ahead?: readonly Waiter[],
  ): Waiter[] {
    const line = ahead ?? (upgrade ? this.upgrades : this.line());
    return line.filter(
      (w) => w.holder !== holder && conflictsBothWays(w.mode, mode) && targetOverlap.overlaps(w.target, target),
    );
  }
}
