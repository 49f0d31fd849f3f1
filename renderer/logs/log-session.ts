// The log of one service as the log pane shows it: the newest page, then live lines, in a bounded buffer
// that lives outside React. A chatty service can print thousands of lines a second; they are collected
// here and published at most every `flushMs`, so React renders a batch, never a line.
import { DevMeshError } from '../../shared/errors.js';
import type { LogLine } from '../../shared/service.js';
import type { DevMeshClient } from '../api/devmesh-client.js';

export interface LogSnapshot {
  /** oldest first */
  lines: readonly LogLine[];
  /** the daemon holds older lines than the first one shown */
  hasMore: boolean;
  /** the buffer is at capacity: loading older lines would push out the newest */
  full: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface LogSessionOptions {
  capacity?: number;
  pageSize?: number;
  flushMs?: number;
}

export class LogSession {
  private lines: LogLine[] = [];
  private incoming: LogLine[] = [];
  private hasMore = false;
  private loaded = false;
  private loading = false;
  private loadingOlder = false;
  private error: string | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private snapshot: LogSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly disposers: (() => void)[] = [];
  private wasOpen: boolean;
  private disposed = false;
  readonly capacity: number;
  private readonly pageSize: number;
  private readonly flushMs: number;

  constructor(
    private readonly client: DevMeshClient,
    readonly project: string,
    readonly service: string,
    options: LogSessionOptions = {},
  ) {
    this.capacity = options.capacity ?? 5000;
    this.pageSize = Math.min(options.pageSize ?? 500, this.capacity);
    this.flushMs = options.flushMs ?? 100;
    this.snapshot = this.makeSnapshot();
    this.wasOpen = client.status.state === 'open';
    // Follow first, then page: a line printed between the two arrives live and is merged by seq.
    this.disposers.push(
      client.followLogs({ project, name: service }, (line) => this.onLine(line)),
      client.onConnectionChange((status) => {
        const open = status.state === 'open';
        if (open && !this.wasOpen) void (this.loaded ? this.catchUp() : this.load());
        this.wasOpen = open;
      }),
    );
    if (this.wasOpen) void this.load();
  }

  /** For useSyncExternalStore: the listener runs once per published batch. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): LogSnapshot => this.snapshot;

  async loadOlder(): Promise<void> {
    const first = this.lines[0];
    const room = this.capacity - this.lines.length;
    if (!this.hasMore || this.loadingOlder || !first || room <= 0) return;
    this.loadingOlder = true;
    this.publish();
    try {
      const page = await this.client.call('logs.page', { project: this.project, name: this.service, before: first.seq, limit: Math.min(this.pageSize, room) });
      if (this.disposed) return;
      const oldest = this.lines[0]?.seq ?? Number.POSITIVE_INFINITY;
      this.lines = page.lines.filter((l) => l.seq < oldest).concat(this.lines);
      this.hasMore = page.hasMore;
      this.error = null;
    } catch (err) {
      this.error = LogSession.describe(err);
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

  private onLine(line: LogLine): void {
    this.incoming.push(line);
    // A flood between two flushes cannot grow memory past the buffer: only the newest lines can survive anyway.
    if (this.incoming.length > 2 * this.capacity) this.incoming.splice(0, this.incoming.length - this.capacity);
    if (this.loaded) this.scheduleFlush();
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.publish();
    try {
      const page = await this.client.call('logs.page', { project: this.project, name: this.service, limit: this.pageSize });
      if (this.disposed) return;
      this.lines = page.lines;
      this.hasMore = page.hasMore;
      this.loaded = true;
      this.error = null;
      this.flush();
    } catch (err) {
      this.error = LogSession.describe(err);
    } finally {
      this.loading = false;
      this.publish();
    }
  }

  /** After a reconnect: lines printed while the socket was down come from the newest page. */
  private async catchUp(): Promise<void> {
    try {
      const page = await this.client.call('logs.page', { project: this.project, name: this.service, limit: this.pageSize });
      if (this.disposed) return;
      this.incoming = page.lines.concat(this.incoming);
      this.flush();
    } catch (err) {
      this.error = LogSession.describe(err);
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
    let last = this.lines[this.lines.length - 1]?.seq ?? 0;
    const fresh: LogLine[] = [];
    for (const line of this.incoming.sort((a, b) => a.seq - b.seq)) {
      if (line.seq <= last) continue; // already shown (the page and the live stream overlap)
      fresh.push(line);
      last = line.seq;
    }
    this.incoming = [];
    if (fresh.length === 0) return;
    this.lines = this.lines.concat(fresh);
    if (this.lines.length > this.capacity) {
      this.lines = this.lines.slice(-this.capacity);
      this.hasMore = true;
    }
    this.publish();
  }

  private publish(): void {
    if (this.disposed) return;
    this.snapshot = this.makeSnapshot();
    for (const l of [...this.listeners]) l();
  }

  private makeSnapshot(): LogSnapshot {
    return {
      lines: this.lines,
      hasMore: this.hasMore,
      full: this.lines.length >= this.capacity,
      loading: this.loading,
      loadingOlder: this.loadingOlder,
      error: this.error,
    };
  }

  private static describe(err: unknown): string {
    return err instanceof DevMeshError || err instanceof Error ? err.message : String(err);
  }
}
