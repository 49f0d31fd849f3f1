// The lock manager: agents take READ / INTENT / WRITE / CO_WRITE locks on files, directories and globs
// under one project root, by the matrix of lock-matrix.ts. Locks live for a TTL that heartbeats extend,
// and are taken away at TTL + grace; waiters queue fairly with a timeout; deadlocks refuse the youngest.
//
// Decisions:
// - A holder never conflicts with itself. Asking again for the mode it holds on the same target is
//   idempotent (same lock, TTL refreshed). Asking for another mode on that target converts the lock in place
//   (READ→WRITE once it is the sole holder, INTENT→WRITE once the readers are gone; downgrades likewise
//   when the others admit the new mode); a conversion that must wait goes before every other waiter.
// - Fairness: waiters are granted in order (conversions first, then FIFO). A request never passes an
//   earlier waiter of another holder whose request overlaps and conflicts with it either way round, so a
//   stream of readers cannot starve a writer.
// - Deadlock: on enqueue the wait-for graph (waiter → holders it waits on, including those queued ahead)
//   is searched for a cycle through the new waiter's holder; the youngest waiter in it is refused, naming it.
// - Takers: a lock is one per holder and target, but several takers may have asked for it (MCP sessions of
//   the holder, and the holder itself through the CLI, the UI or a task). A session that ends lets go of what
//   it took; the lock is released only when no other taker still has it (it keeps the mode it has).
// Parts in their own files: the waiting line, timeouts and deadlocks in lock-waits.ts; expiry in lock-expiry.ts.
import { DevMeshError, type ErrorInfo } from '../../../shared/errors.js';
import type {
  LockEvent,
  LockInfo,
  LockMode,
  LockRequest,
  LockSnapshot,
  TryAcquireResult,
} from '../../../shared/lock.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';
import { SystemLockClock, type LockClock } from './lock-clock.js';
import { LockExpiry } from './lock-expiry.js';
import { HOLDER_TAKER, LockIndex, lockInfo, type HeldLock } from './lock-index.js';
import { admits } from './lock-matrix.js';
import { LockPathResolver } from './lock-path-resolver.js';
import { LockQueue, type TtlChoice, type Waiter } from './lock-queue.js';
import { LockWaits } from './lock-waits.js';
import type { ResolvedTarget } from './target-overlap.js';
import * as lockWords from './lock-words.js';

export interface LockManagerDeps {
  /** the project root: every lock is confined to it */
  root: string;
  clock?: LockClock;
  /** TTL of a lock whose request names none (default 30 s) */
  defaultTtlMs?: number;
  /** how long past its TTL an un-heartbeated lock survives (default 10 s: one missed beat is forgiven) */
  graceMs?: number;
  /** how long acquire() queues when the request names no waitMs (default 30 s) */
  defaultWaitMs?: number;
  /** the next lock id; ids must never repeat, across lock spaces and restarts (default: lock-1, lock-2…) */
  nextLockId?: () => string;
}

/**
 * A request as the lock spaces make it: `freshTtlMs` is the TTL a new lock gets when the request names none
 * (its taker's default); a lock the holder already has keeps its own TTL unless the request names one, so
 * a session taking what a person took for an hour does not shorten it to the session's 30 s.
 */
export type ManagedLockRequest = LockRequest & { freshTtlMs?: number };

type Listener = (event: LockEvent) => void;

export class LockManager implements Disposable {
  private readonly resolver: LockPathResolver;
  private readonly clock: LockClock;
  private readonly defaultTtlMs: number;
  private readonly defaultWaitMs: number;
  private readonly index = new LockIndex();
  private readonly queue = new LockQueue();
  private readonly changes = new Emitter<LockEvent>({ name: 'lock' });
  private readonly waits: LockWaits;
  private readonly expiry: LockExpiry;
  private readonly nextLockId: () => string;
  private disposed = false;

  constructor(deps: LockManagerDeps) {
    this.resolver = new LockPathResolver(deps.root);
    this.clock = deps.clock ?? new SystemLockClock();
    this.defaultTtlMs = deps.defaultTtlMs ?? 30_000;
    this.defaultWaitMs = deps.defaultWaitMs ?? 30_000;
    let n = 1;
    this.nextLockId = deps.nextLockId ?? (() => `lock-${n++}`);
    this.waits = new LockWaits({
      queue: this.queue,
      clock: this.clock,
      heldBlockers: (holder, mode, target) => this.heldBlockers(holder, mode, target),
      grant: (w, waitedMs) => this.grant(w.holder, w.mode, w.target, w.ttl, w.taker, waitedMs),
      refusal: (holder, mode, target, isWords, queued) => this.refusal(holder, mode, target, isWords, queued),
      emit: (event) => this.emit(event),
    });
    this.expiry = new LockExpiry({
      index: this.index,
      clock: this.clock,
      graceMs: deps.graceMs ?? 10_000,
      onExpired: (expired, now) => {
        for (const lock of expired) this.emit({ type: 'expired', ts: now, lock: lockInfo(lock) });
        this.waits.pump();
      },
    });
  }

  get root(): string {
    return this.resolver.root;
  }

  onDidChange(listener: Listener): Disposable {
    return this.changes.event(listener);
  }

  /** Grants at once or refuses with the holders in the way; never queues. Throws BAD_REQUEST on a bad path. */
  tryAcquire(request: ManagedLockRequest): TryAcquireResult {
    const target = this.begin(request);
    const lock = this.grantNow(request, target);
    if (lock) return { ok: true, value: lock };
    const blockers = this.heldBlockers(request.holder, request.mode, target);
    const error = this.refusal(
      request.holder,
      request.mode,
      target,
      'it is',
      this.queue.blockers(
        request.holder,
        request.mode,
        target,
        this.index.find(request.holder, target.key) !== undefined,
      ),
    );
    this.emit({
      type: 'refused',
      ts: this.clock.now(),
      holder: request.holder,
      mode: request.mode,
      target: target.shown,
      error,
    });
    return { ok: false, error, blockers: blockers.map(lockInfo) };
  }

  /** All or none, in one step (a task award): grants every request when none is blocked by a lock held or a
   * request queued ahead, else nothing, answering the first refusal. Requests of one holder may overlap. */
  tryAcquireAll(
    requests: readonly LockRequest[],
  ): { ok: true; value: LockInfo[] } | Extract<TryAcquireResult, { ok: false }> {
    const targets = requests.map((r) => this.begin(r));
    for (const [n, r] of requests.entries()) {
      const t = targets[n]!;
      const held = this.heldBlockers(r.holder, r.mode, t);
      const queued = this.queue.blockers(r.holder, r.mode, t, this.index.find(r.holder, t.key) !== undefined);
      if (held.length > 0 || queued.length > 0) {
        const error = this.refusal(r.holder, r.mode, t, 'it is', queued);
        this.emit({ type: 'refused', ts: this.clock.now(), holder: r.holder, mode: r.mode, target: t.shown, error });
        return { ok: false, error, blockers: held.map(lockInfo) };
      }
    }
    return {
      ok: true,
      value: requests.map((r, n) =>
        this.grant(r.holder, r.mode, targets[n]!, this.ttlOf(r), LockManager.takerOf(r), 0),
      ),
    };
  }

  /** A request's target as this space locks it (root-relative, normalized); throws BAD_REQUEST on a bad path. */
  resolveTarget(target: LockRequest['target']): ResolvedTarget {
    return this.resolver.resolve(target);
  }

  /** Does `holder` hold `mode` on exactly this target already (a request for it only refreshes the lock)? */
  holds(holder: string, target: ResolvedTarget, mode: LockMode): boolean {
    return this.index.find(holder, target.key)?.mode === mode;
  }

  /** how long acquire() queues when the request names no waitMs */
  get waitMsByDefault(): number {
    return this.defaultWaitMs;
  }

  /** The locks of other holders that a `mode` request by `holder` on `target` conflicts with now (no grant). */
  blockersOf(holder: string, mode: LockMode, target: LockRequest['target']): LockInfo[] {
    return this.heldBlockers(holder, mode, this.begin({ holder, mode, target })).map(lockInfo);
  }

  /** Grants when the target is free for this mode, queuing up to waitMs; rejects with a DevMeshError. */
  acquire(request: ManagedLockRequest): Promise<LockInfo> {
    let target: ResolvedTarget;
    try {
      target = this.begin(request);
    } catch (err) {
      return Promise.reject(err);
    }
    const lock = this.grantNow(request, target);
    if (lock) return Promise.resolve(lock);
    const waitMs = request.waitMs ?? this.defaultWaitMs;
    if (waitMs === 0) {
      const result = this.tryAcquire({ ...request, waitMs: 0 });
      return result.ok
        ? Promise.resolve(result.value)
        : Promise.reject(new DevMeshError(result.error.code, result.error.message, result.error.details));
    }
    const wait = {
      holder: request.holder,
      mode: request.mode,
      target,
      ttl: this.ttlOf(request),
      taker: LockManager.takerOf(request),
      upgrade: this.index.find(request.holder, target.key) !== undefined,
    };
    return new Promise<LockInfo>((resolve, reject) => this.waits.enqueue(wait, waitMs, resolve, reject));
  }

  /** Releases one lock; only its holder may. */
  release(lockId: string, holder: string): LockInfo {
    const lock = this.index.get(lockId);
    if (!lock)
      throw new DevMeshError(
        'BAD_REQUEST',
        `no lock ${lockId} is held: it was released or expired. List the held locks with \`devmesh locks\``,
      );
    if (lock.holder !== holder)
      throw new DevMeshError(
        'CONFLICT',
        `lock ${lockId} (${lockWords.describe(lock.mode, lock.target)}) is held by ${lock.holder}, not ${holder}; only its holder may release it`,
      );
    this.drop(lock, 'released');
    this.waits.pump();
    return lockInfo(lock);
  }

  /** Drops every lock and pending request of `holder` at once (its terminal or process exited). */
  releaseHolder(holder: string, reason: string): number {
    const mine = this.index.ofHolder(holder);
    for (const lock of mine) this.drop(lock, reason);
    for (const w of this.queue.of(holder)) {
      const what = `${holder}'s request for ${lockWords.describe(w.mode, w.target)}`;
      this.waits.refuse(
        w,
        new DevMeshError('CONFLICT', `${what} was dropped: ${holder} released everything (${reason})`),
      );
    }
    this.waits.pump();
    return mine.length;
  }

  /**
   * A session of `holder` ended (or asked to let go of everything it took): it stops being a taker of its locks,
   * and each lock no other taker has is released; its queued requests are refused. Returns how many locks it
   * let go of.
   */
  releaseSession(holder: string, session: string, reason: string): number {
    const mine = this.index.ofHolder(holder).filter((l) => l.takers.has(session));
    for (const lock of mine) {
      lock.takers.delete(session);
      if (lock.takers.size === 0) this.drop(lock, reason);
    }
    for (const w of this.queue.of(holder, session)) {
      const what = `${holder}'s request for ${lockWords.describe(w.mode, w.target)}`;
      this.waits.refuse(w, new DevMeshError('CONFLICT', `${what} was dropped: ${reason}`));
    }
    this.waits.pump();
    return mine.length;
  }

  /** Extends every lock of `holder` (or only those `session` took) by its TTL from now; returns how many. */
  heartbeat(holder: string, session?: string): number {
    this.expiry.sweepIfDue();
    const mine = this.index.ofHolder(holder).filter((l) => session === undefined || l.takers.has(session));
    const now = this.clock.now();
    for (const lock of mine) lock.expiresAt = now + lock.ttlMs;
    return mine.length;
  }

  /** Takes away every lock past TTL + grace; runs from its own timer, callable at any time. */
  sweep(): number {
    return this.expiry.sweep();
  }

  list(): LockSnapshot {
    this.expiry.sweepIfDue();
    return { locks: [...this.index.all()].map(lockInfo), waiters: this.waits.snapshot() };
  }

  locksOf(holder: string): LockInfo[] {
    this.expiry.sweepIfDue();
    return this.index.ofHolder(holder).map(lockInfo);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.expiry.dispose();
    for (const w of this.queue.line()) {
      const what = `${w.holder}'s request for ${lockWords.describe(w.mode, w.target)}`;
      this.waits.refuse(w, new DevMeshError('SHUTTING_DOWN', `${what} was dropped: DevMesh is shutting down`));
    }
    this.changes.dispose();
  }

  private begin(request: LockRequest): ResolvedTarget {
    if (this.disposed) throw new DevMeshError('SHUTTING_DOWN', 'the lock manager is shut down; no locks are granted');
    this.expiry.sweepIfDue();
    return this.resolver.resolve(request.target);
  }

  /** the lock, when nothing held or queued ahead stands in the way */
  private grantNow(request: ManagedLockRequest, target: ResolvedTarget): LockInfo | null {
    const { holder, mode, ttlMs } = request;
    const own = this.index.find(holder, target.key);
    if (own && own.mode === mode) {
      own.ttlMs = ttlMs ?? own.ttlMs;
      own.expiresAt = this.clock.now() + own.ttlMs;
      own.takers.add(LockManager.takerOf(request));
      return lockInfo(own);
    }
    if (this.heldBlockers(holder, mode, target).length > 0) return null;
    if (this.queue.blockers(holder, mode, target, own !== undefined).length > 0) return null;
    const info = this.grant(holder, mode, target, this.ttlOf(request), LockManager.takerOf(request), 0);
    if (own) this.waits.pump(); // a downgrade may admit waiters
    return info;
  }

  private grant(
    holder: string,
    mode: LockMode,
    target: ResolvedTarget,
    ttl: TtlChoice,
    taker: string,
    waitedMs: number,
  ): LockInfo {
    const now = this.clock.now();
    let lock = this.index.find(holder, target.key);
    const previousMode = lock ? lock.mode : null;
    if (lock) {
      lock.mode = mode;
      lock.ttlMs = ttl.named ?? lock.ttlMs;
      lock.expiresAt = now + lock.ttlMs;
      lock.takers.add(taker);
    } else {
      const ttlMs = ttl.named ?? ttl.fresh;
      lock = {
        id: this.nextLockId(),
        holder,
        mode,
        target,
        acquiredAt: now,
        expiresAt: now + ttlMs,
        ttlMs,
        takers: new Set([taker]),
      };
      this.index.add(lock);
    }
    this.expiry.watch(lock.expiresAt);
    const info = lockInfo(lock);
    this.emit({ type: 'granted', ts: now, lock: info, waitedMs, previousMode });
    return info;
  }

  private heldBlockers(holder: string, mode: LockMode, target: ResolvedTarget): HeldLock[] {
    return this.index.overlapping(target).filter((l) => l.holder !== holder && !admits(l.mode, mode));
  }

  private refusal(
    holder: string,
    mode: LockMode,
    target: ResolvedTarget,
    isWords: string,
    queued: Waiter[],
  ): ErrorInfo {
    return lockWords.refusal({ holder, mode, target }, isWords, this.heldBlockers(holder, mode, target), queued);
  }

  private drop(lock: HeldLock, reason: string): void {
    this.index.remove(lock);
    this.emit({ type: 'released', ts: this.clock.now(), lock: lockInfo(lock), reason });
  }

  private ttlOf(request: ManagedLockRequest): TtlChoice {
    return { named: request.ttlMs, fresh: request.freshTtlMs ?? this.defaultTtlMs };
  }

  private static takerOf(request: LockRequest): string {
    return request.session ?? HOLDER_TAKER;
  }

  private emit(event: LockEvent): void {
    this.changes.fire(event);
  }
}
