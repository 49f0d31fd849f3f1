// Every service's output, line by line with timestamps: kept in a per-service ring in memory and in
// SQLite, written in batches (a service flooding its output costs one transaction per batch, not per
// line) and capped per service so the store cannot grow without bound. Writing runs in a timer and never
// throws: a store that refuses writes (a full disk) is reported to the daemon's health, and the lines wait
// in memory, bounded, for the store to accept them again (LogStore.rule says how).
import pino from 'pino';
import type { LogPage } from '../../../shared/api.js';
import type { LogLine } from '../../../shared/service.js';
import type { EventBus } from '../events/event-bus.js';
import { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import { LogRing } from './log-ring.js';
import type { Database } from '../store/database.js';

export interface LogStoreDeps {
  /** lines kept per service in SQLite */
  retainPerService?: number;
  /** lines kept per service in memory */
  ringSize?: number;
  flushIntervalMs?: number;
  flushBatchSize?: number;
  /** lines kept waiting while the store refuses writes; older ones beyond are dropped and counted */
  maxUnsaved?: number;
  /** how often a store that refused a write is tried again */
  retryMs?: number;
  /** where a store that refuses writes is reported (DevMeshCore.health) */
  health?: DaemonHealth;
}

export interface LogPageQuery {
  project: string;
  service: string;
  before?: number | undefined;
  limit: number;
  search?: string | undefined;
}

export class LogStore {
  private readonly rings = new Map<string, LogRing>();
  /** lines not in SQLite yet, oldest first */
  private readonly pending: LogLine[] = [];
  private readonly written = new Map<string, number>();
  private seq: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly retain: number;
  private readonly ringSize: number;
  private readonly flushIntervalMs: number;
  private readonly flushBatchSize: number;
  private readonly maxUnsaved: number;
  private readonly retryMs: number;
  private readonly guard: StoreGuard;
  private readonly insert;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    deps: LogStoreDeps = {},
  ) {
    this.retain = deps.retainPerService ?? 20_000;
    this.ringSize = deps.ringSize ?? 1000;
    this.flushIntervalMs = deps.flushIntervalMs ?? 100;
    this.flushBatchSize = deps.flushBatchSize ?? 1000;
    this.maxUnsaved = Math.max(this.flushBatchSize, deps.maxUnsaved ?? 10_000);
    this.retryMs = deps.retryMs ?? 3000;
    const health = deps.health ?? DaemonHealth.detached(pino({ level: 'silent' }));
    this.guard = new StoreGuard(health, { component: 'service logs', where: database.db.name, rule: this.rule });
    const db = database.db;
    this.seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM log_lines').get() as { s: number }).s;
    this.insert = db.prepare(
      'INSERT INTO log_lines (seq, project, service, stream, ts, text) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** What happens to lines while the store refuses writes. */
  get rule(): string {
    return (
      `lines stay in memory (the newest ${this.ringSize} per service) and in the live stream; up to ` +
      `${this.maxUnsaved} unsaved lines wait and are retried every ${this.retryMs / 1000} s, older ones beyond that ` +
      'are dropped and counted'
    );
  }

  append(project: string, service: string, stream: LogLine['stream'], text: string): LogLine {
    const line: LogLine = { seq: ++this.seq, project, service, stream, ts: Date.now(), text };
    this.ringOf(project, service).push(line);
    this.pending.push(line);
    if (this.guard.failing) {
      const excess = this.pending.length - this.maxUnsaved;
      if (excess > 0) {
        this.pending.splice(0, excess);
        this.guard.dropped(excess);
      }
      this.timer ??= this.retryTimer();
    } else if (this.pending.length >= this.flushBatchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
    this.events.log(line);
    return line;
  }

  /** The newest lines held in memory for a service, oldest first. */
  tail(project: string, service: string, count?: number): LogLine[] {
    return this.rings.get(LogStore.key(project, service))?.tail(count) ?? [];
  }

  /** Lines of a service, newest first by `before`; lines the store has not taken yet are included. */
  page(query: LogPageQuery): LogPage {
    if (!this.guard.failing) this.flush();
    const args: unknown[] = [query.project, query.service];
    let where = 'project = ? AND service = ?';
    if (query.before !== undefined) {
      where += ' AND seq < ?';
      args.push(query.before);
    }
    if (query.search) {
      where += " AND text LIKE ? ESCAPE '\\'";
      args.push(`%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const rows = this.database.db
      .prepare(`SELECT seq, project, service, stream, ts, text FROM log_lines WHERE ${where} ORDER BY seq DESC LIMIT ?`)
      .all(...args, query.limit + 1) as LogLine[];
    // Unsaved lines are newer than every stored one: they come first, newest first.
    const needle = query.search?.toLowerCase(); // as LIKE: case-insensitive (LIKE folds ASCII only)
    const unsaved = this.pending
      .filter((l) => l.project === query.project && l.service === query.service)
      .filter((l) => query.before === undefined || l.seq < query.before)
      .filter((l) => !needle || l.text.toLowerCase().includes(needle))
      .reverse();
    const newest = unsaved.length ? [...unsaved, ...rows] : rows;
    const hasMore = newest.length > query.limit;
    return { lines: newest.slice(0, query.limit).reverse(), hasMore };
  }

  /**
   * Writes pending lines in one transaction, then trims services past their retention cap. Never throws:
   * when the store refuses, the lines stay pending and the write is tried again every `retryMs`.
   */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0 || !this.database.db.open) return;
    const batch = this.pending.slice();
    const db = this.database.db;
    const stored = this.guard.background(() =>
      db.transaction(() => {
        for (const l of batch) this.insert.run(l.seq, l.project, l.service, l.stream, l.ts, l.text);
      })(),
    );
    if (!stored) {
      this.timer = this.retryTimer();
      return;
    }
    this.pending.splice(0, batch.length);
    for (const l of batch) {
      const key = LogStore.key(l.project, l.service);
      this.written.set(key, (this.written.get(key) ?? 0) + 1);
    }
    for (const [key, count] of this.written) {
      // Trim once a tenth of the cap has been written since the last trim: cheap, and bounded.
      if (count < Math.max(1, Math.floor(this.retain / 10))) continue;
      const [project, service] = JSON.parse(key) as [string, string];
      const trimmed = this.guard.background(() =>
        db
          .prepare(
            `DELETE FROM log_lines WHERE project = ? AND service = ? AND seq <= (
             SELECT seq FROM log_lines WHERE project = ? AND service = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
          )
          .run(project, service, project, service, this.retain),
      );
      if (trimmed) this.written.set(key, 0);
    }
  }

  /** A last write of what is pending; a store that still refuses it gets no more retries. */
  dispose(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private retryTimer(): NodeJS.Timeout {
    const timer = setTimeout(() => this.flush(), this.retryMs);
    timer.unref();
    return timer;
  }

  private ringOf(project: string, service: string): LogRing {
    const key = LogStore.key(project, service);
    let ring = this.rings.get(key);
    if (!ring) {
      ring = new LogRing(this.ringSize);
      this.rings.set(key, ring);
    }
    return ring;
  }

  private static key(project: string, service: string): string {
    return JSON.stringify([project, service]);
  }
}
