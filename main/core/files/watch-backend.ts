// The native watcher DevMesh uses: @parcel/watcher (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW
// on Windows, Watchman where installed; VS Code's watcher too). Loaded at the first watch, not at start: a
// missing or broken prebuilt binary is a failing watcher in the daemon's health, not a daemon that will not
// start. Its contract (https://github.com/parcel-bundler/watcher README, index.d.ts): `subscribe(dir, fn,
// { ignore })` crawls `dir`, watches every folder not ignored, and calls `fn(err, events)` with coalesced
// `{ path (absolute), type: create | update | delete }`; `ignore` takes paths (relative to dir, or absolute:
// the folder and everything under it) and globs (picomatch, matched on root-relative paths).

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

interface ParcelWatcherModule {
  subscribe: WatchSubscribe;
}

let loading: Promise<WatchSubscribe> | null = null;

/** @parcel/watcher's subscribe, loaded once; rejects with the loader's error (a missing prebuilt binary). */
export function parcelSubscribe(): Promise<WatchSubscribe> {
  loading ??= import('@parcel/watcher').then((m: unknown) => {
    const mod = m as Partial<ParcelWatcherModule> & { default?: ParcelWatcherModule };
    const subscribe = mod.subscribe ?? mod.default?.subscribe;
    if (typeof subscribe !== 'function') throw new Error('@parcel/watcher has no subscribe function');
    return subscribe;
  });
  const attempt = loading;
  // a failed load may be fixed (the package reinstalled): the next watch tries again
  attempt.catch(() => {
    if (loading === attempt) loading = null;
  });
  return attempt;
}
