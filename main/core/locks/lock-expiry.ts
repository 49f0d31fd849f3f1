// When held locks are taken away: a lock lives for its TTL (heartbeats push it on) and is taken away at
// TTL + grace. One timer is armed for the earliest takeaway; any call into the lock manager also sweeps when
// that moment has passed, so a late timer never leaves an expired lock standing.
import type { Disposable } from '../base/disposable.js';
import type { LockClock, LockTimer } from './lock-clock.js';
import type { HeldLock, LockIndex } from './lock-index.js';

export interface LockExpiryDeps {
  index: LockIndex;
  clock: LockClock;
  /** how long past its TTL an un-heartbeated lock survives */
  graceMs: number;
  /** the locks just taken out of the index (never empty), told after the timer is armed again */
  onExpired: (expired: HeldLock[], now: number) => void;
}

export class LockExpiry implements Disposable {
  private timer: LockTimer | null = null;
  private sweepAt = Infinity;

  constructor(private readonly deps: LockExpiryDeps) {}

  /** a lock now expires at `expiresAt`: the timer fires at its takeaway if that is the earliest */
  watch(expiresAt: number): void {
    this.arm(expiresAt + this.deps.graceMs);
  }

  /** Takes away every lock past TTL + grace; runs from its own timer, callable at any time. */
  sweep(): number {
    const { index, clock, graceMs } = this.deps;
    const now = clock.now();
    const expired: HeldLock[] = [];
    let next = Infinity;
    for (const lock of index.all()) {
      const due = lock.expiresAt + graceMs;
      if (due <= now) expired.push(lock);
      else next = Math.min(next, due);
    }
    // Out of the index and the timer re-armed before anyone hears of it: a listener may take a lock at once
    // (a task award), which runs sweepIfDue and arms the timer again; a stale state here would report an
    // expiry twice and cancel the new lock's timer.
    for (const lock of expired) index.remove(lock);
    this.timer?.cancel();
    this.timer = null;
    this.sweepAt = Infinity;
    if (next !== Infinity) this.arm(next);
    if (expired.length > 0) this.deps.onExpired(expired, now);
    return expired.length;
  }

  sweepIfDue(): void {
    if (this.deps.clock.now() >= this.sweepAt) this.sweep();
  }

  dispose(): void {
    this.timer?.cancel();
  }

  private arm(at: number): void {
    if (at >= this.sweepAt) return;
    this.timer?.cancel();
    this.sweepAt = at;
    this.timer = this.deps.clock.schedule(() => this.sweep(), at - this.deps.clock.now());
  }
}
