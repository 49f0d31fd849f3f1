// The INTENT locks behind task awards: takes all of a task's files for the winner in one step (all or
// none, through LockManager.tryAcquireAll), releases them when the task ends, and tells the board when a
// lock space frees a lock so tasks waiting for their files can be awarded.
//
// Decisions:
// - Task locks live for LOCK_TTL_MAX_MS (24 h) and are not heartbeated: the board releases them on every
//   way a task ends (complete, cancel, release, abandon on exit or silence), so the TTL is only a safety
//   net, and heartbeating would also stretch the agent's own short-lived locks.
// - One lock can serve two tasks of the same agent (the lock manager hands an agent back the lock it
//   already holds on a target); it is released only when no other open task of the agent still uses it.
// - A task's lock belongs to the task, not to the agent's own lock calls: when its holder releases it (its
//   WRITE on a task file converted the INTENT in place), the open task takes INTENT there again at once.
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import {
  LOCK_TTL_MAX_MS,
  type LockEvent,
  type LockInfo,
  type LockRequest,
  type LockTarget,
} from '../../../shared/lock.js';
import { FINAL_TASK_STATES, type TaskInfo } from '../../../shared/task.js';
import type { Disposable } from '../base/disposable.js';
import type { LockManager } from '../locks/lock-manager.js';
import type { TaskStore } from './task-store.js';

export type TakeResult = { ok: true; lockIds: string[] } | { ok: false; message: string; blockedBy: string[] };
type TryAll = ReturnType<LockManager['tryAcquireAll']>;

export interface TaskLockBinderDeps {
  locks: (root: string) => LockManager;
  /**
   * All of a task's requests or none (LockSpaces.tryAcquireAll): synchronous when only this machine decides,
   * a promise when linked teammates share the space and their round must permit the batch first. Default: the
   * space's manager alone.
   */
  acquireAll?: (root: string, requests: readonly LockRequest[]) => TryAll | Promise<TryAll>;
  store: TaskStore;
  /** a lock in the space at `root` was released or expired */
  onFreed: (root: string) => void;
  logger?: Logger;
}

export class TaskLockBinder implements Disposable {
  private readonly watched = new Map<string, Disposable>();
  /** lock ids this binder is releasing right now: their events are ours, not news */
  private readonly releasing = new Set<string>();
  private disposed = false;

  constructor(private readonly deps: TaskLockBinderDeps) {}

  /** Subscribes once to the lock space at `root`; false when it cannot be opened (logged). */
  watch(root: string): boolean {
    if (this.disposed) return false;
    if (this.watched.has(root)) return true;
    try {
      const manager = this.deps.locks(root);
      this.watched.set(
        root,
        manager.onDidChange((event) => this.onLockEvent(root, event)),
      );
      return true;
    } catch (err) {
      this.deps.logger?.warn(
        { domain: 'tasks', root, err: (err as Error).message },
        'cannot watch the lock space of a task root',
      );
      return false;
    }
  }

  /** Checks the task's file globs against its lock space (throws BAD_REQUEST for a path outside the root). */
  validate(root: string, files: readonly string[]): void {
    const manager = this.deps.locks(root);
    for (const f of files) manager.blockersOf('devmesh', 'INTENT', TaskLockBinder.target(f));
  }

  /**
   * INTENT on every file of the task for `holder`, all or none. `holder` may be a teammate's agent (a remote
   * bidder that won at this, its task's home machine): the lock is held here in its name. When linked teammates
   * share the project, the answer is a promise: the locks are taken mesh-wide in one round (one Lamport stamp,
   * docs/mesh-locks.md) before the award may make the task CLAIMED, and a teammate's conflicting lock refuses
   * the award instead of being found after it.
   */
  take(task: TaskInfo, holder: string): TakeResult | Promise<TakeResult> {
    if (task.files.length === 0) return { ok: true, lockIds: [] };
    const requests: LockRequest[] = task.files.map((f) => ({
      holder,
      mode: 'INTENT',
      target: TaskLockBinder.target(f),
      ttlMs: LOCK_TTL_MAX_MS,
    }));
    try {
      const acquireAll = this.deps.acquireAll ?? ((root, rs) => this.deps.locks(root).tryAcquireAll(rs));
      const result = acquireAll(task.root, requests);
      if (result instanceof Promise) return result.then(TaskLockBinder.taken, TaskLockBinder.failed);
      return TaskLockBinder.taken(result);
    } catch (err) {
      return TaskLockBinder.failed(err);
    }
  }

  private static taken(result: TryAll): TakeResult {
    if (result.ok) return { ok: true, lockIds: [...new Set(result.value.map((l) => l.id))] };
    const blockedBy =
      (result.error.details as { blockedBy?: string[] } | undefined)?.blockedBy ?? result.blockers.map((b) => b.holder);
    return { ok: false, message: result.error.message, blockedBy };
  }

  /** a round that rejected, with anything (an Error or not): a refusal saying why, never a throw */
  private static failed(err: unknown): TakeResult {
    const why = err instanceof Error ? err.message : String(err);
    const message = err instanceof DevMeshError ? why : `internal error: ${why}`;
    return { ok: false, message, blockedBy: [] };
  }

  /** Releases the task's locks (those no other open task of the holder shares) and forgets them. */
  release(task: TaskInfo, holder: string, reason: string): void {
    const ids = this.deps.store.lockIds(task.id);
    this.deps.store.clearLocks(task.id);
    if (ids.length === 0) return;
    let manager: LockManager;
    try {
      manager = this.deps.locks(task.root);
    } catch (err) {
      this.deps.logger?.warn(
        { domain: 'tasks', task: task.id, err: (err as Error).message },
        'cannot reach the lock space to release task locks',
      );
      return;
    }
    for (const id of ids) {
      const stillUsed = this.deps.store.lockUsers(task.root, id).some((other) => {
        const t = this.deps.store.get(other);
        return t !== null && t.id !== task.id && t.assigneeId === holder && !FINAL_TASK_STATES.includes(t.state);
      });
      if (stillUsed) continue;
      this.releasing.add(id);
      try {
        manager.release(id, holder);
      } catch (err) {
        // already gone (released with the holder's other locks, or expired): nothing left to free
        this.deps.logger?.debug(
          { domain: 'tasks', task: task.id, lock: id, reason, err: (err as Error).message },
          'task lock already gone',
        );
      } finally {
        this.releasing.delete(id);
      }
    }
    this.deps.onFreed(task.root);
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.watched.values()) d.dispose();
    this.watched.clear();
  }

  private onLockEvent(root: string, event: LockEvent): void {
    if (event.type !== 'released' && event.type !== 'expired') return;
    if (this.releasing.has(event.lock.id)) return;
    const users = this.deps.store.lockUsers(root, event.lock.id);
    this.deps.store.forgetLock(root, event.lock.id);
    if (event.type === 'released') this.retake(root, users, event.lock);
    this.deps.onFreed(root);
  }

  /**
   * The holder released a lock its open task stands on: an agent that took WRITE on a task file converted
   * the task's INTENT in place, and releasing its WRITE must not leave the task without its file (another
   * task on it could then be awarded to someone else mid-work). The task takes INTENT on that target again,
   * unless someone queued for it meanwhile (they go first). An agent's exit abandons its tasks before its
   * locks are dropped (Coordination), so nothing is retaken for an agent that is gone.
   */
  private retake(root: string, users: readonly string[], lock: LockInfo): void {
    for (const id of users) {
      const task = this.deps.store.get(id);
      if (!task || task.assigneeId !== lock.holder || FINAL_TASK_STATES.includes(task.state)) continue;
      try {
        const result = this.deps
          .locks(root)
          .tryAcquire({ holder: lock.holder, mode: 'INTENT', target: lock.target, ttlMs: LOCK_TTL_MAX_MS });
        if (result.ok) this.deps.store.addLocks(task.id, [result.value.id]);
        else
          this.deps.logger?.info(
            { domain: 'tasks', task: task.id, why: result.error.message },
            'task lock released by its holder and taken by another',
          );
      } catch (err) {
        this.deps.logger?.warn(
          { domain: 'tasks', task: task.id, err: (err as Error).message },
          'could not retake a task lock its holder released',
        );
      }
    }
  }

  /** a glob when the text has glob magic, else a path (a directory is covered whole by the lock manager) */
  static target(file: string): LockTarget {
    return /[*?[{]/.test(file) ? { kind: 'glob', pattern: file } : { kind: 'file', path: file };
  }
}
