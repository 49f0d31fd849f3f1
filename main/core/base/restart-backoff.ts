// Exponential restart backoff with jitter: initial, doubled per consecutive crash, capped; reset once the
// process has stayed healthy long enough. Counts consecutive restarts for the crash-loop bound. Shared by the
// services' runner and the agents' supervisor, so a crashed agent is treated as a crashed service is.

/** The part of a restart policy the backoff reads (a service's RestartConfig is one). */
export interface RestartBackoffPolicy {
  /** crash-loop bound: after this many restarts in a row, no more */
  maxRestarts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export class RestartBackoff {
  private attempt = 0;

  constructor(
    private readonly config: RestartBackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** consecutive restarts since the last reset */
  get consecutive(): number {
    return this.attempt;
  }

  get exhausted(): boolean {
    return this.attempt >= this.config.maxRestarts;
  }

  /** The delay before the next restart, ±20% jitter so services crashing together do not restart in step. */
  next(): number {
    const base = Math.min(this.config.backoffMaxMs, this.config.backoffInitialMs * 2 ** this.attempt);
    this.attempt++;
    const jitter = 1 + (this.random() * 0.4 - 0.2);
    return Math.max(0, Math.round(Math.min(this.config.backoffMaxMs, base * jitter)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
