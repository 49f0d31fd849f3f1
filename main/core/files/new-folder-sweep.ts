// Covers the native watcher's blind spot on new folders. inotify watches a folder only once its creation has
// been read, so what a shell writes into a folder it has just made (`mkdir -p a/b && echo x > a/b/f`) can land
// before the watch and is never reported (parcel-bundler/watcher#243); and @parcel/watcher adds one watch for
// a new folder, not for the folders already below it, so later writes in `a/b` go unseen for good (#97). Both
// are open upstream. For each batch's new folders this sweep:
// - watches a new folder that already has folders below it with a subscription of its own (the native
//   watcher crawls it, so every folder below gets its watch; inotify shares watches between subscriptions, and
//   events seen by both are one change once batched);
// - then reads the folder and reports everything in it as created (all of it is new, since the folder is).
// A change written while the sweep runs may so be reported twice; none is missed. A folder's own subscription
// ends when the folder is deleted or the watcher stops.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawChange } from './change-batcher.js';
import type { WatchSubscription } from './watch-backend.js';

export interface NewFolderSweepDeps {
  root: string;
  /** a subscription on `dir` (absolute) whose events go where the root's go */
  subscribe: (dir: string) => Promise<WatchSubscription>;
  /** names never crawled nor reported, at any depth */
  ignoredNames: ReadonlySet<string>;
  /** entries reported per sweep at most (default 20,000): past it, the rest is left to later events */
  maxEntries?: number;
  /** folders given their own subscription at most (default 500) */
  maxSubscriptions?: number;
}

/** lstat calls in flight at once: a checkout's burst of creates must not queue thousands on libuv's pool */
const STAT_CHUNK = 64;

export class NewFolderSweep {
  /** root-relative folder → its own subscription */
  private readonly subscriptions = new Map<string, WatchSubscription>();
  private disposed = false;

  constructor(private readonly deps: NewFolderSweepDeps) {}

  /** The creates the native watcher missed inside this batch's new folders (to add to the batch). */
  async sweep(changes: readonly RawChange[]): Promise<RawChange[]> {
    await this.forgetDeleted(changes);
    const folders = await this.newFolders(changes);
    if (folders.length === 0) return [];
    const known = new Set(changes.map((c) => c.path));
    const found: RawChange[] = [];
    const max = this.deps.maxEntries ?? 20_000;
    for (const folder of folders) {
      if (this.disposed || found.length >= max) break;
      await this.follow(folder);
      await this.walk(folder, (path) => {
        if (!known.has(path)) found.push({ path, type: 'create' });
        return found.length < max;
      });
    }
    return found;
  }

  /** Lets every folder's own subscription go (never rejects). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(all.map((s) => s.unsubscribe().catch(() => undefined)));
  }

  /** The batch's created paths that are folders, outermost only (a folder inside another is swept with it). */
  private async newFolders(changes: readonly RawChange[]): Promise<string[]> {
    const created = new Set(changes.filter((c) => c.type === 'create').map((c) => c.path));
    const outermost = [...created].filter((path) => !NewFolderSweep.ancestors(path).some((a) => created.has(a)));
    const folders: string[] = [];
    for (let i = 0; i < outermost.length; i += STAT_CHUNK) {
      const chunk = outermost.slice(i, i + STAT_CHUNK);
      const stats = await Promise.all(chunk.map((p) => lstat(join(this.deps.root, p)).catch(() => null)));
      chunk.forEach((p, j) => {
        if (stats[j]?.isDirectory()) folders.push(p);
      });
    }
    return folders;
  }

  /** Gives a new folder with folders below it its own subscription, so each of them is watched. */
  private async follow(folder: string): Promise<void> {
    if (this.subscriptions.size >= (this.deps.maxSubscriptions ?? 500)) return;
    if (NewFolderSweep.ancestors(folder).some((a) => this.subscriptions.has(a))) return;
    const entries = await readdir(join(this.deps.root, folder), { withFileTypes: true }).catch(() => []);
    if (!entries.some((e) => e.isDirectory() && !this.deps.ignoredNames.has(e.name))) return;
    const subscription = await this.deps.subscribe(join(this.deps.root, folder));
    // a folder deleted and made again within one batch: its old subscription watches nothing now
    void this.subscriptions
      .get(folder)
      ?.unsubscribe()
      .catch(() => undefined);
    if (this.disposed) {
      await subscription.unsubscribe();
      return;
    }
    this.subscriptions.set(folder, subscription);
  }

  /** Every entry below `folder`, depth first, until `visit` says stop; a folder gone meanwhile is skipped. */
  private async walk(folder: string, visit: (path: string) => boolean): Promise<void> {
    const stack = [folder];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const entries = await readdir(join(this.deps.root, dir), { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (this.deps.ignoredNames.has(e.name)) continue;
        const path = `${dir}/${e.name}`;
        if (!visit(path)) return;
        if (e.isDirectory()) stack.push(path);
      }
    }
  }

  /** A deleted folder's own subscription (and those below it) is let go. */
  private async forgetDeleted(changes: readonly RawChange[]): Promise<void> {
    if (this.subscriptions.size === 0) return;
    const deleted = new Set(changes.filter((c) => c.type === 'delete').map((c) => c.path));
    if (deleted.size === 0) return;
    const gone = [...this.subscriptions.keys()].filter(
      (f) => deleted.has(f) || NewFolderSweep.ancestors(f).some((a) => deleted.has(a)),
    );
    await Promise.all(
      gone.map((f) => {
        const s = this.subscriptions.get(f)!;
        this.subscriptions.delete(f);
        // the native side may already have dropped a deleted folder's watches
        return s.unsubscribe().catch(() => undefined);
      }),
    );
  }

  /** `a/b/c` → `a`, `a/b` */
  private static ancestors(path: string): string[] {
    const parts = path.split('/');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
  }
}
