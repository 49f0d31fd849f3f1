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
  /** `report` hears what a timer's callback threw (the daemon's health); it is never rethrown into the loop */
  constructor(
    private readonly report: (err: unknown) => void = (err) =>
      process.emitWarning(`devmesh: a lock timer threw: ${String(err)}`),
  ) {}

  now(): number {
    return Date.now();
  }

  schedule(fn: () => void, ms: number): LockTimer {
    const handle = setTimeout(
      () => {
        try {
          fn();
        } catch (err) {
          // an expiry or an award that failed (a full disk): contained at the seam, never the daemon's end
          try {
            this.report(err);
          } catch {
            // the reporter itself failed; the timer still must not throw
          }
        }
      },
      Math.max(0, ms),
    );
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}
