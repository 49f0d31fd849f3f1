// Debounces a watcher's raw events into batches: one flush once the folder has been quiet for `quietMs`, and
// at the latest `maxDelayMs` after the batch's first event, so a long burst (a `git checkout`, an install)
// still reaches the faces in steps. Within a batch each path keeps one net change, the way @parcel/watcher
// coalesces its own (README "Watching": created then updated is a create; created then deleted is nothing),
// plus deleted then created again (an editor's atomic save, a rename over the file) is an update. A rename
// arrives as a delete of the old path and a create of the new one.
import type { FileChangeType } from '../../../shared/files.js';
import type { Disposable } from '../base/disposable.js';
import type { LockClock, LockTimer } from '../locks/lock-clock.js';

export interface RawChange {
  /** root-relative POSIX path */
  path: string;
  type: FileChangeType;
}

export interface ChangeBatcherDeps {
  clock: LockClock;
  /** a batch, paths in the order they first changed; a throw here is the caller's to contain */
  flush: (changes: RawChange[]) => void;
  /** quiet time that ends a batch (default 40 ms) */
  quietMs?: number;
  /** the longest a change waits in a batch (default 500 ms) */
  maxDelayMs?: number;
  /** paths kept per batch: past it the batch flushes at once (default 20,000) */
  maxPaths?: number;
}

export class ChangeBatcher implements Disposable {
  private pending = new Map<string, FileChangeType>();
  private quietTimer: LockTimer | null = null;
  private deadline: LockTimer | null = null;
  private disposed = false;

  constructor(private readonly deps: ChangeBatcherDeps) {}

  add(changes: readonly RawChange[]): void {
    if (this.disposed || changes.length === 0) return;
    for (const c of changes) {
      const net = ChangeBatcher.merge(this.pending.get(c.path), c.type);
      // Map.set keeps a path's first place in the batch
      if (net === null) this.pending.delete(c.path);
      else this.pending.set(c.path, net);
    }
    if (this.pending.size >= (this.deps.maxPaths ?? 20_000)) {
      this.flushNow();
      return;
    }
    const { clock } = this.deps;
    this.quietTimer?.cancel();
    this.quietTimer = clock.schedule(() => this.flushNow(), this.deps.quietMs ?? 40);
    this.deadline ??= clock.schedule(() => this.flushNow(), this.deps.maxDelayMs ?? 500);
  }

  /** Hands over what is pending now (a watcher that stops flushes first). */
  flushNow(): void {
    this.quietTimer?.cancel();
    this.deadline?.cancel();
    this.quietTimer = this.deadline = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending].map(([path, type]) => ({ path, type }));
    this.pending = new Map();
    this.deps.flush(batch);
  }

  dispose(): void {
    this.disposed = true;
    this.quietTimer?.cancel();
    this.deadline?.cancel();
    this.pending.clear();
  }

  /** The net change of `before` followed by `next`; null: nothing happened (created, then deleted). */
  static merge(before: FileChangeType | undefined, next: FileChangeType): FileChangeType | null {
    if (before === undefined) return next;
    if (before === 'create') return next === 'delete' ? null : 'create';
    if (before === 'delete') return next === 'delete' ? 'delete' : 'update';
    return next === 'create' ? 'update' : next;
  }
}
