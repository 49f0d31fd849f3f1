// One watched folder (a project's checkout or an agent's worktree): the native watcher's events, turned into
// root-relative POSIX paths, debounced (ChangeBatcher), with what git ignores left out (GitIgnoreFilter), handed
// on as batches in order. `.git`, `node_modules` and `.devmesh` (DevMesh's own worktrees live there) at any
// depth are never crawled nor watched; nor are the folders git ignores at the start. What the native watcher
// misses in folders made moments ago is found by reading them (NewFolderSweep) before a batch is handed on; what
// its callback loses under load is found in its own tree (TreeReconciler) and handed on like any change.
//
// It never throws into the event loop: the native callback, the debounce timers and the git filter are caught
// here and end as `onDidFail` (the owner reports it to the daemon's health). A watcher fails when it cannot
// start (the folder is missing, the inotify watch limit, ENOSPC, is reached), when the native side reports an
// error, or when the watched folder itself is deleted or moved away; a failed watcher stays stopped.
import { isAbsolute, join, relative, sep } from 'node:path';
import type { AsyncDisposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';
import type { LockClock } from '../locks/lock-clock.js';
import { ChangeBatcher, type RawChange } from './change-batcher.js';
import type { GitIgnoreFilter } from './git-ignore-filter.js';
import { NewFolderSweep } from './new-folder-sweep.js';
import { TreeReconciler } from './tree-reconciler.js';
import type { WatchEvent, WatchSnapshots, WatchSubscribe, WatchSubscription } from './watch-backend.js';

/** never watched, at any depth (globs for @parcel/watcher, matched on root-relative paths) */
export const ALWAYS_IGNORED = ['**/.git', '**/node_modules', '**/.devmesh'];
const ALWAYS_IGNORED_NAMES = new Set(['.git', 'node_modules', '.devmesh']);

export interface FileWatcherDeps {
  root: string;
  subscribe: () => Promise<WatchSubscribe>;
  /** the native watcher's tree snapshots (same module as `subscribe`); without them lost events stay lost */
  snapshots?: () => Promise<WatchSnapshots>;
  ignores: GitIgnoreFilter;
  clock: LockClock;
  quietMs?: number;
  maxDelayMs?: number;
}

export type FileWatcherState = 'starting' | 'watching' | 'failed' | 'stopped';

export class FileWatcher implements AsyncDisposable {
  private readonly batcher: ChangeBatcher;
  private readonly batches = new Emitter<RawChange[]>({ name: 'file change' });
  private readonly failures = new Emitter<Error>({ name: 'file watcher failure' });
  private readonly recoveries = new Emitter<number>({ name: 'file watcher recovery' });
  private readonly warnings = new Emitter<Error>({ name: 'file watcher warning' });
  private subscription: WatchSubscription | null = null;
  /** what the native watcher misses in new folders, found by reading them (null until started) */
  private sweep: NewFolderSweep | null = null;
  /** what the native callback loses, found in the native tree (null without snapshots, or until started) */
  private reconciler: TreeReconciler | null = null;
  /** batches wait here for git's answer, one at a time, so they are handed on in order */
  private filtering: Promise<void> = Promise.resolve();
  private current: FileWatcherState = 'starting';
  private failure: Error | null = null;

  constructor(private readonly deps: FileWatcherDeps) {
    this.batcher = new ChangeBatcher({
      clock: deps.clock,
      quietMs: deps.quietMs,
      maxDelayMs: deps.maxDelayMs,
      flush: (changes) => this.filter(changes),
    });
  }

  get root(): string {
    return this.deps.root;
  }

  get state(): FileWatcherState {
    return this.current;
  }

  get error(): Error | null {
    return this.failure;
  }

  /** debounced batches of changes, ignored paths left out */
  readonly onDidChange = this.batches.event;
  readonly onDidFail = this.failures.event;
  /** how many changes the native callback had lost and its tree gave back (a sign of a loaded machine) */
  readonly onDidRecover = this.recoveries.event;
  /** a problem that leaves the watcher running (its lost-change check stopped) */
  readonly onDidWarn = this.warnings.event;

  /** Crawls and subscribes; resolves once events flow (or the watcher failed: see `state`). Never rejects. */
  async start(): Promise<void> {
    try {
      const dirs = await this.deps.ignores.ignoredDirs();
      const subscribe = await this.deps.subscribe();
      const reconciler = await this.makeReconciler();
      if (this.current !== 'starting') {
        await reconciler?.dispose();
        return;
      }
      this.reconciler = reconciler;
      const onEvents = (err: Error | null, events: WatchEvent[]): void => this.onNative(err, events);
      // absolute, so a new folder's own subscription (see NewFolderSweep) leaves out the same folders
      const ignore = [...ALWAYS_IGNORED, ...dirs.map((d) => join(this.deps.root, d))];
      // the snapshot's own folder, when the temporary folder lies inside the watched one (a root of / or /tmp)
      const own = reconciler?.folder;
      if (own && this.inside(own)) ignore.push(own);
      const subscription = await subscribe(this.deps.root, onEvents, { ignore });
      if (this.current !== 'starting') {
        // stopped while the crawl ran: let the subscription go at once
        await subscription.unsubscribe();
        return;
      }
      this.subscription = subscription;
      this.sweep = new NewFolderSweep({
        root: this.deps.root,
        subscribe: (dir) => subscribe(dir, onEvents, { ignore }),
        ignoredNames: ALWAYS_IGNORED_NAMES,
      });
      // the first snapshot of the tree the crawl built: a change from now on is reported by the callback or
      // found in the tree; `watching` only after it, so a change made right after the start is never missed
      await reconciler?.start(ignore).catch((err: unknown) => this.warn(reconciler, err));
      if (this.current !== 'starting') return;
      this.current = 'watching';
    } catch (err) {
      this.fail(err);
    }
  }

  /** The lost-change check, when the backend has snapshots (a failure to start one is a warning, not a failure). */
  private async makeReconciler(): Promise<TreeReconciler | null> {
    if (!this.deps.snapshots) return null;
    try {
      const reconciler = new TreeReconciler({
        root: this.deps.root,
        snapshots: await this.deps.snapshots(),
        clock: this.deps.clock,
        report: (events) => this.recovered(events),
        onError: (err) => this.warn(reconciler, err),
      });
      await reconciler.prepare();
      return reconciler;
    } catch (err) {
      this.warn(null, err);
      return null;
    }
  }

  private recovered(events: WatchEvent[]): void {
    try {
      if (this.current !== 'watching') return;
      this.batcher.add(this.changesOf(events));
      this.recoveries.fire(events.length);
    } catch (err) {
      this.fail(err);
    }
  }

  private warn(reconciler: TreeReconciler | null, err: unknown): void {
    if (reconciler !== null && this.reconciler === reconciler) {
      this.reconciler = null;
      void reconciler.dispose();
    }
    this.warnings.fire(err instanceof Error ? err : new Error(String(err)));
  }

  private inside(path: string): boolean {
    const rel = relative(this.deps.root, path);
    return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
  }

  private onNative(err: Error | null, events: WatchEvent[]): void {
    try {
      if (this.current === 'failed' || this.current === 'stopped') return;
      if (err) {
        this.fail(err);
        return;
      }
      this.reconciler?.saw(events);
      const changes = this.changesOf(events);
      if (this.current === 'watching' || this.current === 'starting') this.batcher.add(changes);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Native events as root-relative POSIX changes, what is never watched left out. */
  private changesOf(events: readonly WatchEvent[]): RawChange[] {
    const changes: RawChange[] = [];
    for (const e of events) {
      const rel = relative(this.deps.root, e.path);
      if (rel === '') {
        // the watched folder itself went away (deleted, moved): inotify stops with it
        if (e.type === 'delete') this.fail(new Error(`the watched folder ${this.deps.root} was deleted or moved`));
        continue;
      }
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue;
      const path = sep === '/' ? rel : rel.split(sep).join('/');
      if (path.split('/').some((part) => ALWAYS_IGNORED_NAMES.has(part))) continue;
      changes.push({ path, type: e.type });
    }
    return changes;
  }

  private filter(changes: RawChange[]): void {
    this.filtering = this.filtering.then(async () => {
      try {
        const missed = this.sweep !== null ? await this.sweep.sweep(changes) : [];
        const all = missed.length === 0 ? changes : [...changes, ...missed];
        const ignored = await this.deps.ignores.ignored(all.map((c) => c.path));
        const kept = ignored.size === 0 ? all : all.filter((c) => !ignored.has(c.path));
        if (kept.length > 0 && this.current !== 'stopped') this.batches.fire(kept);
      } catch (err) {
        this.fail(err);
      }
    });
  }

  /** Resolves once every batch seen so far has been handed on (tests, and a stop that flushes). */
  async settled(): Promise<void> {
    this.batcher.flushNow();
    await this.filtering;
  }

  /** Checks the native tree for changes the callback lost now, and hands them on (tests). */
  async reconcile(): Promise<void> {
    await this.reconciler?.check();
    await this.settled();
  }

  private fail(err: unknown): void {
    if (this.current === 'failed' || this.current === 'stopped') return;
    this.current = 'failed';
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.batcher.dispose();
    void this.release();
    this.failures.fire(this.failure);
  }

  /** Lets the native subscription go; resolves once it has (never rejects). */
  private release(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    // the native side may refuse (its folder is gone): nothing is left to release then
    const reconciler = this.reconciler;
    this.reconciler = null;
    // the check first: one that ran after the unsubscribe would find no live tree and crawl the folder anew
    const checked = reconciler ? reconciler.dispose() : Promise.resolve();
    return checked.then(() => {
      const root = subscription?.unsubscribe().catch((err: unknown) => void (this.failure ??= err as Error));
      return Promise.all([root, this.sweep?.dispose()]).then(() => undefined);
    });
  }

  /** Stops watching; resolves once the native watcher let go (it keeps no handle on the event loop after). */
  dispose(): Promise<void> {
    if (this.current === 'stopped') return Promise.resolve();
    this.current = 'stopped';
    this.batcher.dispose();
    this.batches.dispose();
    this.failures.dispose();
    this.recoveries.dispose();
    this.warnings.dispose();
    return this.release();
  }
}
