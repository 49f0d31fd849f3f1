// Items waiting to be written in batches by a background store (request rows, log lines). A flush that
// fails on the disk keeps the items and tries again every `retryMs`; at most `maxWaiting` wait, and past
// that the oldest are dropped and counted on the store's health problem. A failure that is not the disk's
// (a bug: a row the table refuses) drops that batch instead, so one bad item cannot wedge the store.
// With `sliceMax`, a background flush writes at most that many items per transaction and lets the event
// loop run between slices (cooperative time-slicing): a store that shares the loop with the proxy never
// holds it for one long batch. An explicit flush() (a page read, disposal) writes everything at once.
// Nothing here throws into a timer.
import type { Disposable } from '../base/disposable.js';
import type { StoreGuard } from './store-guard.js';
import * as storageFailure from './storage-failure.js';

export interface PendingBatchDeps<T> {
  guard: StoreGuard;
  /** writes one batch (one transaction); throws on failure */
  write: (items: readonly T[]) => void;
  /** how soon after the first waiting item a flush runs */
  flushMs: number;
  /** a background flush writes at most this many per transaction, the loop running between slices */
  sliceMax?: number;
  /** a flush as soon as this many wait */
  flushAt?: number;
  /** how long after a failed flush the next try runs */
  retryMs?: number;
  /** at most this many wait while the store fails */
  maxWaiting?: number;
}

export const PENDING_RETRY_MS = 5_000;
export const PENDING_MAX_WAITING = 10_000;

export class PendingBatch<T> implements Disposable {
  private readonly items: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private retrying = false;
  /** items given up since start (the disk full past maxWaiting, or a batch the store refused) */
  dropped = 0;

  constructor(private readonly deps: PendingBatchDeps<T>) {}

  get waiting(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    const max = this.deps.maxWaiting ?? PENDING_MAX_WAITING;
    if (this.items.length > max) {
      const over = this.items.length - max;
      this.items.splice(0, over);
      this.drop(over);
    }
    if (this.retrying) return; // the retry timer is set; a failing store is not hammered per item
    if (this.deps.flushAt !== undefined && this.items.length >= this.deps.flushAt) this.flush();
    else this.schedule(this.deps.flushMs);
  }

  /** Writes what waits now; returns whether everything was written. */
  flush(): boolean {
    this.clearTimer();
    return this.write(this.items.length);
  }

  dispose(): void {
    this.clearTimer();
    this.flush();
    this.clearTimer();
  }

  /** The timer's flush: one slice, and the next one after the loop has run (nothing waits that long). */
  private flushSlice(): void {
    const slice = this.deps.sliceMax ?? this.items.length;
    this.write(slice);
    // the rest follows at once, also after a slice the store refused (dropped); a failing disk set the retry
    if (this.items.length > 0 && !this.retrying) this.schedule(0);
  }

  /** Writes the oldest `count` waiting items in one transaction; whether it worked. */
  private write(count: number): boolean {
    if (this.items.length === 0) return true;
    const batch = this.items.slice(0, count);
    let error: unknown = null;
    const ok = this.deps.guard.background(() => {
      try {
        this.deps.write(batch);
      } catch (err) {
        error = err;
        throw err;
      }
    });
    if (ok) {
      this.items.splice(0, batch.length);
      this.retrying = false;
      return true;
    }
    if (!storageFailure.isStorage(error, this.deps.guard.deps.where)) {
      // retrying a row the store refuses would fail forever: give up this batch, keep the store going
      this.items.splice(0, batch.length);
      this.drop(batch.length);
      return false;
    }
    this.retrying = true;
    this.schedule(this.deps.retryMs ?? PENDING_RETRY_MS);
    return false;
  }

  private drop(count: number): void {
    this.dropped += count;
    this.deps.guard.dropped(count);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushSlice();
    }, ms);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
