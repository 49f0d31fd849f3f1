// Exponential restart backoff with jitter: initial, doubled per consecutive crash, capped; reset once the
// service has stayed healthy long enough. Counts consecutive restarts for the crash-loop bound.
import type { RestartConfig } from '../config/project-config.js';

export class RestartBackoff {
  private attempt = 0;

  constructor(
    private readonly config: RestartConfig,
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
