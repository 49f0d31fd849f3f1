// The native watcher DevMesh uses: @parcel/watcher (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW
// on Windows, Watchman where installed; VS Code's watcher too). Loaded at the first watch, not at start: a
// missing or broken prebuilt binary is a failing watcher in the daemon's health, not a daemon that will not
// start. Its contract (https://github.com/parcel-bundler/watcher README, index.d.ts): `subscribe(dir, fn,
// { ignore })` crawls `dir`, watches every folder not ignored, and calls `fn(err, events)` with coalesced
// `{ path (absolute), type: create | update | delete }`; `ignore` takes paths (relative to dir, or absolute:
// the folder and everything under it) and globs (picomatch, matched on root-relative paths). `writeSnapshot(dir,
// file)` writes the watcher's tree of `dir` (every entry and its mtime) to a file, `getEventsSince(dir, file)`
// answers the changes between such a file and the tree now; while `dir` is subscribed both read the live tree
// the subscription keeps (no crawl). TreeReconciler uses them to find what the callback lost.

export interface WatchEvent {
  path: string;
  type: 'create' | 'update' | 'delete';
}

export interface WatchSubscription {
  unsubscribe(): Promise<void>;
}

export type WatchCallback = (err: Error | null, events: WatchEvent[]) => unknown;

/** @parcel/watcher's `subscribe`, or a stand-in with its contract */
export type WatchSubscribe = (dir: string, fn: WatchCallback, opts: { ignore: string[] }) => Promise<WatchSubscription>;

/** @parcel/watcher's snapshot pair, or a stand-in with its contract */
export interface WatchSnapshots {
  writeSnapshot(dir: string, snapshot: string, opts: { ignore: string[] }): Promise<unknown>;
  getEventsSince(dir: string, snapshot: string, opts: { ignore: string[] }): Promise<WatchEvent[]>;
}

interface ParcelWatcherModule extends WatchSnapshots {
  subscribe: WatchSubscribe;
}

let loading: Promise<ParcelWatcherModule> | null = null;

function loadParcel(): Promise<ParcelWatcherModule> {
  loading ??= import('@parcel/watcher').then((m: unknown) => {
    const mod = m as Partial<ParcelWatcherModule> & { default?: Partial<ParcelWatcherModule> };
    const pick = <K extends keyof ParcelWatcherModule>(name: K): ParcelWatcherModule[K] => {
      const fn = mod[name] ?? mod.default?.[name];
      if (typeof fn !== 'function') throw new Error(`@parcel/watcher has no ${name} function`);
      return fn as ParcelWatcherModule[K];
    };
    return {
      subscribe: pick('subscribe'),
      writeSnapshot: pick('writeSnapshot'),
      getEventsSince: pick('getEventsSince'),
    };
  });
  const attempt = loading;
  // a failed load may be fixed (the package reinstalled): the next watch tries again
  attempt.catch(() => {
    if (loading === attempt) loading = null;
  });
  return attempt;
}

/** @parcel/watcher's subscribe, loaded once; rejects with the loader's error (a missing prebuilt binary). */
export function parcelSubscribe(): Promise<WatchSubscribe> {
  return loadParcel().then((m) => m.subscribe);
}

/** @parcel/watcher's writeSnapshot and getEventsSince (the same module as parcelSubscribe's). */
export function parcelSnapshots(): Promise<WatchSnapshots> {
  return loadParcel().then(({ writeSnapshot, getEventsSince }) => ({ writeSnapshot, getEventsSince }));
}
