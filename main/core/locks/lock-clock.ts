// Time for the lock manager: the wall clock and timers, injectable so tests drive TTL expiry and waiter
// timeouts with fake time instead of sleeping.

export interface LockTimer {
  cancel(): void;
}

export interface LockClock {
  now(): number;
  /** calls `fn` once after `ms`; the timer must not keep the process alive */
  schedule(fn: () => void, ms: number): LockTimer;
}

export class SystemLockClock implements LockClock {
  now(): number {
    return Date.now();
  }

  schedule(fn: () => void, ms: number): LockTimer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}
