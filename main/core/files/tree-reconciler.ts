// Finds the changes the native watcher saw but its callback never handed on, in the watcher's own tree.
// @parcel/watcher (2.6.0, the newest) reads inotify on one thread, which updates its tree of the root (every entry
// and its mtime) and adds each event to a pending list; a second, debounce thread hands that list to JS by
// copying it and then clearing it, two steps under two locks (src/Watcher.cc, triggerCallbacks). An event added
// between the copy and the clear is in the tree but never in a callback. On a quiet machine the window is a few
// instructions; on a loaded one the debounce thread is preempted there for a whole time slice: with the window held
// open for 3 ms (one preemption), 6 of 30 new files written right after another change were never reported.
// The tree still has them. After each stretch of activity this reads the changes since the last snapshot of the
// tree (getEventsSince: a diff against the live tree, no crawl), reports those the callback did not hand on
// meanwhile, and writes a new snapshot. A change handed on while a check runs may so be reported twice; none that
// reached the tree is lost. What never reached the tree (an inotify queue overflow, which @parcel/watcher skips)
// is not found here. A check costs about 0.15 s of a pool thread for 10,000 entries on a loaded machine (0.03 s to
// write the snapshot); checks are spaced by ten times the last one's cost, so they take at most a tenth of it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AsyncDisposable } from '../base/disposable.js';
import type { LockClock, LockTimer } from '../locks/lock-clock.js';
import type { WatchEvent, WatchSnapshots } from './watch-backend.js';

/** checks are spaced by this many times the last check's duration */
const COST_RATIO = 10;

export interface TreeReconcilerDeps {
  /** the watched folder (absolute, as subscribed) */
  root: string;
  snapshots: WatchSnapshots;
  clock: LockClock;
  /** changes the callback lost (absolute paths, as the native callback gives them) */
  report: (events: WatchEvent[]) => void;
  /** a check that failed (no snapshot could be written or read): checking stops, the watcher goes on */
  onError: (err: Error) => void;
  /** quiet time after the last native event before a check (default 700 ms: @parcel/watcher waits up to 500) */
  quietMs?: number;
  /** the longest a check waits while events keep coming (default 5 s) */
  maxDelayMs?: number;
}

export class TreeReconciler implements AsyncDisposable {
  private dir: string | null = null;
  private ignore: string[] = [];
  /** what the callback handed on since the last snapshot: absolute path → its changes */
  private handed = new Map<string, Set<WatchEvent['type']>>();
  private quietTimer: LockTimer | null = null;
  private deadline: LockTimer | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** the first snapshot is written: checks compare against it */
  private ready = false;
  /** no check before this time (the last one's cost, times COST_RATIO, after it ended) */
  private notBefore = 0;
  /** changes found in the tree that the callback had lost, since the start */
  lost = 0;

  constructor(private readonly deps: TreeReconcilerDeps) {}

  /** The folder the snapshot lives in (null until prepared). */
  get folder(): string | null {
    return this.dir;
  }

  /** Makes the snapshot's folder: the watcher leaves it out when it lies inside the root. */
  async prepare(): Promise<string> {
    this.dir = await mkdtemp(join(tmpdir(), 'devmesh-tree-'));
    return this.dir;
  }

  /** Writes the first snapshot, once the root is subscribed with these ignores. */
  async start(ignore: string[]): Promise<void> {
    if (this.stopped) return;
    this.ignore = ignore;
    await this.deps.snapshots.writeSnapshot(this.deps.root, this.file(), { ignore });
    this.ready = true;
  }

  /** What the callback handed on; a check follows once the folder is quiet. */
  saw(events: readonly WatchEvent[]): void {
    if (this.stopped || events.length === 0) return;
    for (const e of events) {
      const types = this.handed.get(e.path);
      if (types) types.add(e.type);
      else this.handed.set(e.path, new Set([e.type]));
    }
    const { clock } = this.deps;
    this.quietTimer?.cancel();
    this.quietTimer = clock.schedule(() => this.checkSoon(), this.deps.quietMs ?? 700);
    this.deadline ??= clock.schedule(() => this.checkSoon(), this.deps.maxDelayMs ?? 5_000);
  }

  /** Resolves once the checks begun so far have ended (tests; a stop). */
  settled(): Promise<void> {
    return this.running;
  }

  /** Compares the tree with the last snapshot now (one check at a time), reporting what the callback lost. */
  check(): Promise<void> {
    this.running = this.running.then(() => this.checkOnce());
    return this.running;
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    this.cancelTimers();
    await this.running;
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private checkSoon(): void {
    this.cancelTimers();
    const wait = this.notBefore - this.deps.clock.now();
    if (wait > 0) this.deadline = this.deps.clock.schedule(() => this.checkSoon(), wait);
    else void this.check();
  }

  private async checkOnce(): Promise<void> {
    if (this.stopped || !this.ready) return;
    const began = this.deps.clock.now();
    try {
      const { root, snapshots } = this.deps;
      const before = this.handed;
      this.handed = new Map();
      const since = await snapshots.getEventsSince(root, this.file(), { ignore: this.ignore });
      await snapshots.writeSnapshot(root, this.file(), { ignore: this.ignore });
      const ended = this.deps.clock.now();
      this.notBefore = ended + COST_RATIO * (ended - began);
      if (this.stopped) return;
      // the tree's change, unless the callback handed it on before the check or while it ran (then in the next
      // stretch's map); a create lost with its file's later update handed on is still a create lost
      const handed = (e: WatchEvent): boolean =>
        before.get(e.path)?.has(e.type) === true || this.handed.get(e.path)?.has(e.type) === true;
      const lost = since.filter((e) => !handed(e));
      if (lost.length === 0) return;
      this.lost += lost.length;
      this.deps.report(lost);
    } catch (err) {
      this.stopped = true;
      this.cancelTimers();
      this.deps.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private cancelTimers(): void {
    this.quietTimer?.cancel();
    this.deadline?.cancel();
    this.quietTimer = this.deadline = null;
  }

  private file(): string {
    return join(this.dir ?? tmpdir(), 'tree');
  }
}
