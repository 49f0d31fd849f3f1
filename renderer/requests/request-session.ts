// The proxy's request log of one project as the Requests view shows it: the newest page, then live
// records, in a bounded RequestBuffer outside React. A busy service can answer thousands of requests a
// second; they are collected here and published at most every `flushMs`, so React renders a batch.
// A session serves one filter; changing the filter starts a new session.
import type { RequestRecord } from '../../shared/proxy.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { RequestBuffer } from './request-buffer.js';
import { matchesRequestFilter, type RequestFilter } from './request-filter.js';

export interface RequestSnapshot {
  /** oldest first */
  records: readonly RequestRecord[];
  hasMore: boolean;
  full: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface RequestSessionOptions {
  capacity?: number;
  pageSize?: number;
  flushMs?: number;
}

export class RequestSession {
  private readonly buffer: RequestBuffer;
  private incoming: RequestRecord[] = [];
  private loaded = false;
  private loading = false;
  private loadingOlder = false;
  private error: string | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private snapshot: RequestSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly disposers: (() => void)[] = [];
  private wasOpen: boolean;
  private disposed = false;
  private readonly pageSize: number;
  private readonly flushMs: number;

  constructor(
    private readonly client: DevMeshClient,
    readonly project: string,
    readonly filter: RequestFilter,
    options: RequestSessionOptions = {},
  ) {
    this.buffer = new RequestBuffer(options.capacity ?? 2000);
    this.pageSize = Math.min(options.pageSize ?? 200, this.buffer.capacity);
    this.flushMs = options.flushMs ?? 100;
    this.snapshot = this.makeSnapshot();
    this.wasOpen = client.status.state === 'open';
    // Follow first, then page: a request answered between the two arrives live and is merged by seq.
    this.disposers.push(
      client.followRequests({ project, service: filter.service }, (r) => this.onRecord(r)),
      client.onConnectionChange((status) => {
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

  getSnapshot = (): RequestSnapshot => this.snapshot;

  async loadOlder(): Promise<void> {
    const before = this.buffer.oldestSeq;
    const room = this.buffer.room;
    if (!this.buffer.hasMore || this.loadingOlder || before === null || before < 1 || room <= 0) return;
    this.loadingOlder = true;
    this.publish();
    try {
      const page = await this.client.call('proxy.requests', { ...this.query(), before, limit: Math.min(this.pageSize, room) });
      if (this.disposed) return;
      this.buffer.prependOlder(page.requests, page.hasMore);
      this.error = null;
    } catch (err) {
      this.error = RequestSession.describe(err);
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

  private query() {
    const search = this.filter.search.trim();
    return {
      project: this.project,
      service: this.filter.service,
      errorsOnly: this.filter.errorsOnly,
      ...(search ? { search } : {}),
    };
  }

  private onRecord(record: RequestRecord): void {
    if (!matchesRequestFilter(record, this.filter)) return;
    this.incoming.push(record);
    // A flood between two flushes cannot grow memory past the buffer: only the newest can survive anyway.
    const capacity = this.buffer.capacity;
    if (this.incoming.length > 2 * capacity) this.incoming.splice(0, this.incoming.length - capacity);
    if (this.loaded) this.scheduleFlush();
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.publish();
    try {
      const page = await this.client.call('proxy.requests', { ...this.query(), limit: this.pageSize });
      if (this.disposed) return;
      this.buffer.reset(page.requests, page.hasMore);
      this.loaded = true;
      this.error = null;
      this.flush();
    } catch (err) {
      this.error = RequestSession.describe(err);
    } finally {
      this.loading = false;
      this.publish();
    }
  }

  /** After a reconnect: requests answered while the socket was down come from the newest page. */
  private async catchUp(): Promise<void> {
    try {
      const page = await this.client.call('proxy.requests', { ...this.query(), limit: this.pageSize });
      if (this.disposed) return;
      this.incoming = page.requests.concat(this.incoming);
      this.flush();
    } catch (err) {
      this.error = RequestSession.describe(err);
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

  private makeSnapshot(): RequestSnapshot {
    return {
      records: this.buffer.records,
      hasMore: this.buffer.hasMore,
      full: this.buffer.full,
      loading: this.loading,
      loadingOlder: this.loadingOlder,
      error: this.error,
    };
  }

  private static describe(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
  }
}
