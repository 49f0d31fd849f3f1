// The seam between a store and the event loop. Background writes (a timer's flush, a stream's line) go
// through `background`: a failure is reported to DaemonHealth with the store's rule and never thrown.
// Writes a caller waits for (an API call's decision) go through `foreground`: a storage failure becomes a
// DevMeshError (DISK_FULL…) the caller answers with, and is reported too. The first success after a failure
// clears the problem.
import type { DevMeshError } from '../../../shared/errors.js';
import type { DaemonHealth } from './daemon-health.js';
import * as storageFailure from './storage-failure.js';

export interface StoreGuardDeps {
  /** as users name it: "request log" */
  component: string;
  /** the file written, for messages */
  where: string;
  /** what happens to the data while writes fail */
  rule: string;
}

export class StoreGuard {
  constructor(
    private readonly health: DaemonHealth,
    readonly deps: StoreGuardDeps,
  ) {}

  /** Is the store failing right now? */
  get failing(): boolean {
    return this.health.has(this.deps.component);
  }

  /** Runs a background write. Returns whether it succeeded; a failure is reported, never thrown. */
  background(write: () => void, dropped = 0): boolean {
    try {
      write();
    } catch (err) {
      this.report(err, dropped);
      return false;
    }
    this.succeeded();
    return true;
  }

  /** Runs a write the caller waits for: a failure is reported and thrown as a DevMeshError. */
  foreground<T>(write: () => T): T {
    let value: T;
    try {
      value = write();
    } catch (err) {
      throw this.failure(err);
    }
    this.succeeded();
    return value;
  }

  /** Reports `err` and returns the DevMeshError a caller answers with. */
  failure(err: unknown): DevMeshError {
    this.report(err, 0);
    return storageFailure.toError(err, `The ${this.deps.component}`, this.deps.where, this.deps.where);
  }

  report(err: unknown, dropped = 0): void {
    this.health.fail({
      component: this.deps.component,
      error: err,
      where: this.deps.where,
      rule: this.deps.rule,
      dropped,
    });
  }

  dropped(count: number): void {
    this.health.dropped(this.deps.component, count);
  }

  succeeded(): void {
    if (this.health.has(this.deps.component)) this.health.ok(this.deps.component);
  }
}
