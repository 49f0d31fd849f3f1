// Fake time for the lock manager: timers fire in deadline order as the test advances the clock.
import type { LockClock, LockTimer } from '../../../main/core/locks/lock-clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeLockClock implements LockClock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  schedule(fn: () => void, ms: number): LockTimer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** moves time forward by `ms`, firing every timer due on the way, in order */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      next.cancelled = true;
      next.fn();
    }
    this.t = end;
  }

  get timers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
