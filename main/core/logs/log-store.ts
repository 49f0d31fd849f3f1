// Every service's output, line by line with timestamps: kept in a per-service ring in memory and in
// SQLite, written in batches with its search index (FTS5, log_fts) in the same transaction, and kept per
// project by size and age (LogRetention). A JSON line is read for its level, message and fields
// (structured-line.ts).
//
// The writes go through a LogWriter (log-writer.ts): on disk, a worker thread, so a service flooding its
// output costs the daemon's event loop the parsing, not SQLite. The lines not stored yet wait in the
// LogBacklog; reads (page, search) take the store's lines and the waiting ones newer than what the store
// holds, in one snapshot. While the writer is behind by `highWaterLines`, `congested()` tells services'
// readers to stop reading their pipes until it catches up: the service waits, as it would on a slow
// terminal, and the daemon's memory stays bounded.
//
// Writing never throws: a store that refuses writes (a full disk) is reported to the daemon's health, and the
// lines wait in memory, bounded, for the store to accept them again (LogStore.rule says how); the services are
// not held back meanwhile.
import pino from 'pino';
import type { LogPage } from '../../../shared/api.js';
import { lineMatches } from '../../../shared/log-match.js';
import type { LogSearchResult } from '../../../shared/logs.js';
import type { LogLine } from '../../../shared/service.js';
import type { EventBus } from '../events/event-bus.js';
import { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import { LogRing } from './log-ring.js';
import { LogRetention, type LogRetentionPolicy } from './log-retention.js';
import { LogSearch, logLineOfRow, type LogRow, type LogSearchAnswer, type LogSearchRequest } from './log-search.js';
import { LogBacklog } from './log-backlog.js';
import { InlineLogWriter, type LogWriter } from './log-writer.js';
import { parseLine } from './structured-line.js';
import type { Database } from '../store/database.js';

export interface LogStoreDeps {
  /** where writes run (default: inline, on this thread); see logWriterFor */
  writer?: LogWriter;
  /** what a project keeps when its devmesh.yaml does not say (default 1 GB, 14 days) */
  retention?: LogRetentionPolicy;
  /** lines deleted per retention step at most */
  retentionChunk?: number;
  /** how often lines past their age are looked for */
  ageCheckMs?: number;
  /** lines kept per service in memory */
  ringSize?: number;
  flushIntervalMs?: number;
  /** lines that start a write at once rather than after flushIntervalMs */
  flushBatchSize?: number;
  /** lines one write takes at most */
  maxBatch?: number;
  /** lines not stored yet at which services' pipes stop being read, until half as many are left */
  highWaterLines?: number;
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
  private seq: number;
  private readonly backlog: LogBacklog;
  private readonly retention: LogRetention;
  private readonly searcher: LogSearch;
  private readonly ringSize: number;
  private readonly maxUnsaved: number;
  private readonly retryMs: number;
  private readonly guard: StoreGuard;
  private readonly topSeq;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    deps: LogStoreDeps = {},
  ) {
    this.ringSize = deps.ringSize ?? 1000;
    const flushBatchSize = deps.flushBatchSize ?? 1000;
    const maxBatch = Math.max(flushBatchSize, deps.maxBatch ?? 5000);
    this.maxUnsaved = Math.max(flushBatchSize, deps.maxUnsaved ?? 10_000);
    this.retryMs = deps.retryMs ?? 3000;
    const health = deps.health ?? DaemonHealth.detached(pino({ level: 'silent' }));
    this.guard = new StoreGuard(health, { component: 'service logs', where: database.db.name, rule: this.rule });
    const db = database.db;
    this.topSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM log_lines');
    this.seq = (this.topSeq.get() as { s: number }).s;
    this.retention = new LogRetention(db, {
      ...(deps.retention ? { defaults: deps.retention } : {}),
      ...(deps.retentionChunk ? { chunkLines: deps.retentionChunk } : {}),
    });
    this.searcher = new LogSearch(db);
    this.backlog = new LogBacklog({
      db,
      writer: deps.writer ?? new InlineLogWriter(db),
      retention: this.retention,
      guard: this.guard,
      ageCheckMs: deps.ageCheckMs ?? 60_000,
      flushIntervalMs: deps.flushIntervalMs ?? 100,
      flushBatchSize,
      maxBatch,
      highWater: Math.max(maxBatch, deps.highWaterLines ?? 2 * maxBatch),
      maxUnsaved: this.maxUnsaved,
      retryMs: this.retryMs,
    });
  }

  /** A project's retention from its devmesh.yaml (null: the defaults); applied at the next write or check. */
  setRetention(project: string, policy: LogRetentionPolicy | null): void {
    this.retention.setPolicy(project, policy);
  }

  /** The bytes and lines a project keeps in the store. */
  usage(project: string): { bytes: number; lines: number } {
    return this.retention.usageOf(project);
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
    const parsed = parseLine(text, stream);
    const line: LogLine = { seq: ++this.seq, project, service, stream, ts: Date.now(), text, level: parsed.level };
    if (parsed.msg !== undefined) line.msg = parsed.msg;
    if (parsed.fields !== undefined) line.fields = parsed.fields;
    this.ringOf(project, service).push(line);
    this.backlog.add(line);
    this.events.log(line);
    return line;
  }

  /**
   * Null while the writer keeps up; else a promise that settles once it has caught up, the store fails (its
   * lines are then bounded by dropping) or closes. Readers of services' output stop reading until it settles.
   */
  congested(): Promise<void> | null {
    return this.backlog.congested();
  }

  /** Settles once every line appended so far is stored (or the store refuses them, or closes). */
  settled(): Promise<void> {
    return this.backlog.settled();
  }

  /** Lines appended and not stored yet. */
  get unstored(): number {
    return this.backlog.size;
  }

  /** Starts the next write now, if none is running. */
  flush(): void {
    this.backlog.flush();
  }

  /**
   * Writes what is pending and ends the writer. Inline, all of it is done when this returns; with a writer
   * thread, the promise settles when it is. A store that still refuses the lines gets no more retries.
   */
  dispose(): void | Promise<void> {
    return this.backlog.close();
  }

  /** The newest lines held in memory for a service, oldest first. */
  tail(project: string, service: string, count?: number): LogLine[] {
    return this.rings.get(LogStore.key(project, service))?.tail(count) ?? [];
  }

  /** Lines of a service, newest first by `before`; lines the store has not taken yet are included. */
  page(query: LogPageQuery): LogPage {
    if (!this.guard.failing) this.backlog.flush();
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
    const db = this.database.db;
    const read = db.prepare(
      `SELECT seq, project, service, stream, ts, text, level, msg, fields FROM log_lines WHERE ${where}
       ORDER BY seq DESC LIMIT ?`,
    );
    const { top, rows } = this.snapshot(() => read.all(...args, query.limit + 1) as LogRow[]);
    // Unsaved lines are newer than every stored one: they come first, newest first.
    const needle = query.search?.toLowerCase(); // as LIKE: case-insensitive (LIKE folds ASCII only)
    const unsaved = this.backlog
      .unsaved(top)
      .filter((l) => l.project === query.project && l.service === query.service)
      .filter((l) => query.before === undefined || l.seq < query.before)
      .filter((l) => !needle || l.text.toLowerCase().includes(needle))
      .reverse();
    const stored = rows.map(logLineOfRow);
    const newest = unsaved.length ? [...unsaved, ...stored] : stored;
    const hasMore = newest.length > query.limit;
    return { lines: newest.slice(0, query.limit).reverse(), hasMore };
  }

  /** Stored lines matching a search, newest page first by cursor; lines the store has not taken yet too. */
  search(request: LogSearchRequest): LogSearchResult {
    const started = performance.now();
    if (!this.guard.failing) this.backlog.flush();
    const { top, rows: answer } = this.snapshot((): LogSearchAnswer => this.searcher.run(request));
    // Unsaved lines are newer than every stored one: matched here, by the same rules.
    const unsaved = this.backlog
      .unsaved(top)
      .filter((l) => l.project === request.project && (request.cursor === undefined || l.seq < request.cursor))
      .filter((l) => LogStore.withinRequest(l, request) && lineMatches(l, request.query))
      .reverse();
    const newest = unsaved.length ? [...unsaved, ...answer.lines] : answer.lines;
    const lines = newest.slice(0, request.limit);
    const more = answer.more || newest.length > request.limit;
    return {
      lines: lines.reverse().map((l) => ({ ...l, matches: LogSearch.matches(l, request.query.terms) })),
      nextCursor: more && lines.length > 0 ? lines[0]!.seq : null,
      total: answer.total === null ? null : answer.total + unsaved.length,
      ms: Math.round((performance.now() - started) * 100) / 100,
    };
  }

  /** Reads the store and its newest seq in one snapshot (a write landing meanwhile is seen by neither). */
  private snapshot<T>(read: () => T): { top: number; rows: T } {
    return this.database.db.transaction(() => {
      const top = (this.topSeq.get() as { s: number }).s;
      return { top, rows: read() };
    })();
  }

  private static withinRequest(l: LogLine, r: LogSearchRequest): boolean {
    if (r.services && r.services.length > 0 && !r.services.includes(l.service)) return false;
    if (r.since !== undefined && l.ts < r.since) return false;
    if (r.until !== undefined && l.ts > r.until) return false;
    return r.minLevel === undefined || (l.level !== null && l.level !== undefined && l.level >= r.minLevel);
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
