// Every service's output, line by line with timestamps: kept in a per-service ring in memory and in
// SQLite, written in batches (a service flooding its output costs one transaction per batch, not per
// line) and capped per service so the store cannot grow without bound.
import type { LogPage } from '../../../shared/api.js';
import type { LogLine } from '../../../shared/service.js';
import type { EventBus } from '../events/event-bus.js';
import { LogRing } from '../logs/log-ring.js';
import type { Database } from './database.js';

export interface LogStoreOptions {
  /** lines kept per service in SQLite */
  retainPerService?: number;
  /** lines kept per service in memory */
  ringSize?: number;
  flushIntervalMs?: number;
  flushBatchSize?: number;
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
  private readonly pending: LogLine[] = [];
  private readonly written = new Map<string, number>();
  private seq: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly retain: number;
  private readonly ringSize: number;
  private readonly flushIntervalMs: number;
  private readonly flushBatchSize: number;
  private readonly insert;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    options: LogStoreOptions = {},
  ) {
    this.retain = options.retainPerService ?? 20_000;
    this.ringSize = options.ringSize ?? 1000;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.flushBatchSize = options.flushBatchSize ?? 1000;
    const db = database.db;
    this.seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM log_lines').get() as { s: number }).s;
    this.insert = db.prepare('INSERT INTO log_lines (seq, project, service, stream, ts, text) VALUES (?, ?, ?, ?, ?, ?)');
  }

  append(project: string, service: string, stream: LogLine['stream'], text: string): LogLine {
    const line: LogLine = { seq: ++this.seq, project, service, stream, ts: Date.now(), text };
    this.ringOf(project, service).push(line);
    this.pending.push(line);
    if (this.pending.length >= this.flushBatchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
    this.events.log(line);
    return line;
  }

  /** The newest lines held in memory for a service, oldest first. */
  tail(project: string, service: string, count?: number): LogLine[] {
    return this.rings.get(LogStore.key(project, service))?.tail(count) ?? [];
  }

  page(query: LogPageQuery): LogPage {
    this.flush();
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
    const hasMore = rows.length > query.limit;
    return { lines: rows.slice(0, query.limit).reverse(), hasMore };
  }

  /** Writes pending lines in one transaction, then trims services past their retention cap. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0 || !this.database.db.open) return;
    const batch = this.pending.splice(0);
    const db = this.database.db;
    db.transaction(() => {
      for (const l of batch) this.insert.run(l.seq, l.project, l.service, l.stream, l.ts, l.text);
    })();
    for (const l of batch) {
      const key = LogStore.key(l.project, l.service);
      this.written.set(key, (this.written.get(key) ?? 0) + 1);
    }
    for (const [key, count] of this.written) {
      // Trim once a tenth of the cap has been written since the last trim: cheap, and bounded.
      if (count < Math.max(1, Math.floor(this.retain / 10))) continue;
      this.written.set(key, 0);
      const [project, service] = JSON.parse(key) as [string, string];
      db.prepare(
        `DELETE FROM log_lines WHERE project = ? AND service = ? AND seq <= (
           SELECT seq FROM log_lines WHERE project = ? AND service = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ).run(project, service, project, service, this.retain);
    }
  }

  dispose(): void {
    this.flush();
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
