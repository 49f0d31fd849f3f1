// The mechanism behind every view of a daemon-side log that grows while it is shown (a service's log
// lines, the proxy's requests): the newest page, then live items, in a bounded SeqBuffer outside React.
// A busy source can emit thousands of items a second; they are queued here and published at most every
// `flushMs`, so React renders a batch, never an item. Each view supplies how to page and follow its
// source and the shape of its snapshot; the timers, de-duplication and reconnect handling live here once.
import type { DevMeshClient } from '../api/devmesh-client.js';
import { SeqBuffer, type ItemOrder } from './seq-buffer.js';

export interface LivePage<T> {
  /** any order; merged by seq */
  items: readonly T[];
  /** the daemon holds items older than the oldest of this page */
  hasMore: boolean;
}

export interface LiveSource<T> {
  /** The newest page (no `before`), or the page just older than `before`. */
  fetchPage(request: { before?: number; limit: number }): Promise<LivePage<T>>;
  /** Follows the live stream; returns the unsubscribe. */
  follow(onItem: (item: T) => void): () => void;
  /** Live items the view does not show (the daemon applies the same rule to pages). */
  accepts?(item: T): boolean;
}

/** What a snapshot is made from; each view maps it to the shape its components read. */
export interface LiveState<T> {
  /** in the view's order, first to last (oldest first) */
  items: readonly T[];
  hasMore: boolean;
  /** the buffer is at capacity: loading older items would push out the newest */
  full: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface LivePagedSessionDeps<T, S> {
  capacity: number;
  /** the order the view shows its items in; by seq when not given */
  order?: ItemOrder<T>;
  pageSize: number;
  flushMs: number;
  snapshot: (state: LiveState<T>) => S;
}

export type LiveConnection = Pick<DevMeshClient, 'status' | 'onConnectionChange'>;

export class LivePagedSession<T extends { readonly seq: number }, S> {
  private readonly buffer: SeqBuffer<T>;
  private incoming: T[] = [];
  private loaded = false;
  private loading = false;
  private loadingOlder = false;
  private error: string | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private snapshot: S;
  private readonly listeners = new Set<() => void>();
  private readonly disposers: (() => void)[] = [];
  private wasOpen: boolean;
  private disposed = false;
  private readonly pageSize: number;
  private readonly flushMs: number;
  private readonly shape: (state: LiveState<T>) => S;

  constructor(
    connection: LiveConnection,
    private readonly source: LiveSource<T>,
    deps: LivePagedSessionDeps<T, S>,
  ) {
    this.buffer = new SeqBuffer<T>(deps.capacity, deps.order);
    this.pageSize = Math.min(deps.pageSize, deps.capacity);
    this.flushMs = deps.flushMs;
    this.shape = deps.snapshot;
    this.snapshot = this.makeSnapshot();
    this.wasOpen = connection.status.state === 'open';
    // Follow first, then page: an item emitted between the two arrives live and is merged by seq.
    this.disposers.push(
      source.follow((item) => this.onItem(item)),
      connection.onConnectionChange((status) => {
        const open = status.state === 'open';
        if (open && !this.wasOpen) void (this.loaded ? this.catchUp() : this.load());
        this.wasOpen = open;
      }),
    );
    if (this.wasOpen) void this.load();
  }

  get capacity(): number {
    return this.buffer.capacity;
  }

  /** For useSyncExternalStore: the listener runs once per published batch. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): S => this.snapshot;

  async loadOlder(): Promise<void> {
    const before = this.buffer.oldestSeq;
    const room = this.buffer.room;
    // seqs start at 1: nothing is older than an item with seq 1, whatever hasMore says.
    if (!this.buffer.hasMore || this.loadingOlder || before === null || before < 1 || room <= 0) return;
    this.loadingOlder = true;
    this.publish();
    try {
      const page = await this.source.fetchPage({ before, limit: Math.min(this.pageSize, room) });
      if (this.disposed) return;
      this.buffer.prependOlder(page.items, page.hasMore);
      this.error = null;
    } catch (err) {
      this.error = LivePagedSession.describe(err);
    } finally {
      this.loadingOlder = false;
      this.publish();
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const d of this.disposers.splice(0)) d();
    this.listeners.clear();
  }

  private onItem(item: T): void {
    if (this.source.accepts && !this.source.accepts(item)) return;
    this.incoming.push(item);
    // A flood between two flushes cannot grow memory past the buffer: only the newest can survive anyway.
    const capacity = this.buffer.capacity;
    if (this.incoming.length > 2 * capacity) this.incoming.splice(0, this.incoming.length - capacity);
    // Before the first page the queue waits: flushing it would make the page look older than it is.
    if (this.loaded) this.scheduleFlush();
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.publish();
    try {
      const page = await this.source.fetchPage({ limit: this.pageSize });
      if (this.disposed) return;
      this.buffer.reset(page.items, page.hasMore);
      this.loaded = true;
      this.error = null;
      this.flush();
    } catch (err) {
      this.error = LivePagedSession.describe(err);
    } finally {
      this.loading = false;
      this.publish();
    }
  }

  /** After a reconnect: items emitted while the socket was down come from the newest page. */
  private async catchUp(): Promise<void> {
    try {
      const page = await this.source.fetchPage({ limit: this.pageSize });
      if (this.disposed) return;
      this.incoming = page.items.concat(this.incoming);
      this.flush();
    } catch (err) {
      this.error = LivePagedSession.describe(err);
      this.publish();
    }
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, this.flushMs);
  }

  private flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.incoming.length === 0) return;
    const added = this.buffer.appendNewer(this.incoming);
    this.incoming = [];
    if (added > 0) this.publish();
  }

  private publish(): void {
    if (this.disposed) return;
    this.snapshot = this.makeSnapshot();
    for (const l of [...this.listeners]) l();
  }

  private makeSnapshot(): S {
    return this.shape({
      items: this.buffer.items,
      hasMore: this.buffer.hasMore,
      full: this.buffer.full,
      loading: this.loading,
      loadingOlder: this.loadingOlder,
      error: this.error,
    });
  }

  private static describe(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
  }
}
