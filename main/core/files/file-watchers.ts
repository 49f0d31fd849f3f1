// The watched folders: one FileWatcher per folder (a project's checkout, an agent's worktree), started and
// stopped by their owner (FilesModule follows projects and agents). A watcher that fails is stopped and
// reported to the daemon's health ledger under `file watcher: <folder>`, with what to do about it; the
// problem clears when the folder is no longer wanted (its project closed, its agent removed) or watched again.
// Nothing a watcher does reaches the event loop: its failures come here as values.
import type { Logger } from 'pino';
import type { WatchedRoot } from '../../../shared/files.js';
import type { AsyncDisposable } from '../base/disposable.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import type { LockClock } from '../locks/lock-clock.js';
import type { RawChange } from './change-batcher.js';
import { FileWatcher } from './file-watcher.js';
import { GitIgnoreFilter } from './git-ignore-filter.js';
import type { WatchSnapshots, WatchSubscribe } from './watch-backend.js';

/** whose folder it is */
export interface WatchOwner {
  root: string;
  /** the lock space: the project's checkout (for a worktree, its repository) */
  projectRoot: string;
  project: string | null;
  agentId: string | null;
}

export interface FileWatchersDeps {
  subscribe: () => Promise<WatchSubscribe>;
  /** the same native watcher's tree snapshots, to find what its callback loses (none: not looked for) */
  snapshots?: () => Promise<WatchSnapshots>;
  clock: LockClock;
  health: DaemonHealth;
  logger: Logger;
  /** a debounced batch of one folder (contained here: a throw is logged, the watcher goes on) */
  onBatch: (owner: WatchOwner, changes: RawChange[]) => void;
  /** the environment git runs in */
  env?: NodeJS.ProcessEnv;
  quietMs?: number;
  maxDelayMs?: number;
}

const RULE =
  'changes in that folder are not seen (no live file lists, no watch_files answers, no lock-bypass alerts) ' +
  'until it is watched again; everything else keeps running';

interface Entry {
  owner: WatchOwner;
  watcher: FileWatcher;
  since: number;
  started: Promise<void>;
}

export class FileWatchers implements AsyncDisposable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: FileWatchersDeps) {}

  static component(root: string): string {
    return `file watcher: ${root}`;
  }

  /** Starts watching `owner.root` (again, if its watcher failed); resolves once it watches or failed. */
  watch(owner: WatchOwner): Promise<void> {
    const existing = this.entries.get(owner.root);
    if (existing && existing.watcher.state !== 'failed') {
      existing.owner = owner;
      return existing.started;
    }
    void existing?.watcher.dispose();
    const { clock, quietMs, maxDelayMs } = this.deps;
    const ignores = new GitIgnoreFilter({ root: owner.root, env: this.deps.env });
    const watcher = new FileWatcher({
      root: owner.root,
      subscribe: this.deps.subscribe,
      snapshots: this.deps.snapshots,
      ignores,
      clock,
      quietMs,
      maxDelayMs,
    });
    const entry: Entry = { owner, watcher, since: clock.now(), started: Promise.resolve() };
    watcher.onDidChange((changes) => {
      try {
        this.deps.onBatch(entry.owner, changes);
      } catch (err) {
        this.deps.logger.error(
          { domain: 'files', root: owner.root, err: (err as Error)?.message },
          'a file batch failed',
        );
      }
    });
    watcher.onDidFail((err) => this.failed(entry, err));
    const log = { domain: 'files', root: owner.root };
    watcher.onDidRecover((count) =>
      this.deps.logger.warn({ ...log, count }, 'the native watcher lost changes; reported from its tree'),
    );
    watcher.onDidWarn((err) =>
      this.deps.logger.warn({ ...log, err: err.message }, 'the lost-change check of a watched folder stopped'),
    );
    this.entries.set(owner.root, entry);
    entry.started = watcher.start().then(() => {
      if (watcher.state === 'watching') this.deps.health.ok(FileWatchers.component(owner.root));
    });
    return entry.started;
  }

  /** Stops watching a folder; its problem, if any, is over. */
  unwatch(root: string): void {
    const entry = this.entries.get(root);
    if (!entry) return;
    this.entries.delete(root);
    void entry.watcher.dispose();
    this.deps.health.ok(FileWatchers.component(root));
  }

  owners(): WatchOwner[] {
    return [...this.entries.values()].map((e) => e.owner);
  }

  list(): WatchedRoot[] {
    return [...this.entries.values()].map(({ owner, watcher, since }) => ({
      root: owner.root,
      project: owner.project,
      agentId: owner.agentId,
      state: watcher.state === 'stopped' ? 'failed' : watcher.state,
      error: watcher.error?.message ?? null,
      since,
    }));
  }

  /** the watcher of a folder, for tests and a flush before answering */
  watcherAt(root: string): FileWatcher | null {
    return this.entries.get(root)?.watcher ?? null;
  }

  async dispose(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(({ watcher }) => watcher.dispose()));
  }

  private failed(entry: Entry, err: Error): void {
    if (this.entries.get(entry.owner.root) !== entry) return;
    const root = entry.owner.root;
    this.deps.health.raise({
      component: FileWatchers.component(root),
      code: 'IO',
      message: FileWatchers.describe(root, err),
      cause: err.message,
      rule: RULE,
    });
  }

  /** what failed, where, how to fix it: the inotify limits say ENOSPC / EMFILE, which are not about the disk */
  static describe(root: string, err: Error): string {
    const text = `${(err as { code?: string }).code ?? ''} ${err.message}`;
    const what = `The file watcher of ${root} stopped`;
    const again = 'then reopen the project (devmesh close, devmesh open) to watch it again';
    if (/ENOSPC|No space left on device/i.test(text))
      return (
        `${what}: the system's inotify watch limit is reached (the disk is not full; fs.inotify.max_user_watches). ` +
        `Raise it (sudo sysctl fs.inotify.max_user_watches=524288, and in /etc/sysctl.d/ to keep it) or add big ` +
        `folders to .gitignore, ${again}.`
      );
    if (/EMFILE|Too many open files/i.test(text))
      return (
        `${what}: the system's limit of inotify instances is reached (fs.inotify.max_user_instances). Raise it ` +
        `(sudo sysctl fs.inotify.max_user_instances=1024) or close other watching programs, ${again}.`
      );
    if (/Unable to poll|Interrupted system call/i.test(text))
      // @parcel/watcher's inotify thread takes any signal (a child's SIGCHLD when the main thread has it masked,
      // as around every spawn): its poll() fails with EINTR, the thread ends, and every folder it watched stops;
      // a new subscription then reuses the dead thread's tree of the folder (no crawl), blind to folders made since
      return (
        `${what}: the native file watcher of this process was interrupted by a signal (${err.message}), and every ` +
        `folder it watched stopped with it. Restart DevMesh (devmesh down, devmesh up; or the app) to watch again: ` +
        `reopening the project watches again but misses the folders made since.`
      );
    if (/deleted or moved|ENOENT|No such file|ENOTDIR|Not a directory/i.test(text))
      return `${what}: the folder is gone (${err.message}). Restore it, or close the project or remove the agent.`;
    return `${what}: ${err.message}. Check the folder's permissions, ${again}.`;
  }
}
