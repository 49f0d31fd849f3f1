// Every service's output, line by line with timestamps: kept in a per-service ring in memory and in
// SQLite, written in batches (a service flooding its output costs one transaction per batch, not per
// line) with its search index (FTS5, log_fts) in the same transaction, and kept per project by size and
// age (LogRetention). A JSON line is read for its level, message and fields (structured-line.ts). Writing
// runs in a timer and never throws: a store that refuses writes (a full disk) is reported to the daemon's
// health, and the lines wait in memory, bounded, for the store to accept them again (LogStore.rule says how).
import pino from 'pino';
import type { LogPage } from '../../../shared/api.js';
import { displayText, lineMatches } from '../../../shared/log-match.js';
import type { LogSearchResult } from '../../../shared/logs.js';
import type { LogLine } from '../../../shared/service.js';
import type { EventBus } from '../events/event-bus.js';
import { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import { LogRing } from './log-ring.js';
import { LogRetention, type LogRetentionPolicy } from './log-retention.js';
import { LogSearch, logLineOfRow, type LogRow, type LogSearchRequest } from './log-search.js';
import { parseLine } from './structured-line.js';
import type { Database } from '../store/database.js';

export interface LogStoreDeps {
  /** what a project keeps when its devmesh.yaml does not say (default 1 GB, 14 days) */
  retention?: LogRetentionPolicy;
  /** lines deleted per retention step at most */
  retentionChunk?: number;
  /** how often lines past their age are looked for */
  ageCheckMs?: number;
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
  private seq: number;
  private timer: NodeJS.Timeout | null = null;
  private ageTimer: NodeJS.Timeout | null = null;
  private readonly retention: LogRetention;
  private readonly searcher: LogSearch;
  private readonly ageCheckMs: number;
  private readonly ringSize: number;
  private readonly flushIntervalMs: number;
  private readonly flushBatchSize: number;
  private readonly maxUnsaved: number;
  private readonly retryMs: number;
  private readonly guard: StoreGuard;
  private readonly insert;
  private readonly index;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    deps: LogStoreDeps = {},
  ) {
    this.ageCheckMs = deps.ageCheckMs ?? 60_000;
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
      'INSERT INTO log_lines (seq, project, service, stream, ts, text, level, msg, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.index = db.prepare('INSERT INTO log_fts (rowid, body) VALUES (?, ?)');
    this.retention = new LogRetention(db, {
      ...(deps.retention ? { defaults: deps.retention } : {}),
      ...(deps.retentionChunk ? { chunkLines: deps.retentionChunk } : {}),
    });
    this.searcher = new LogSearch(db);
    this.ageTimer = setTimeout(() => this.trimByAge(), 0);
    this.ageTimer.unref();
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
    const rows = (
      this.database.db
        .prepare(
          `SELECT seq, project, service, stream, ts, text, level, msg, fields FROM log_lines WHERE ${where}
           ORDER BY seq DESC LIMIT ?`,
        )
        .all(...args, query.limit + 1) as LogRow[]
    ).map(logLineOfRow);
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

  /** Stored lines matching a search, newest page first by cursor; lines the store has not taken yet too. */
  search(request: LogSearchRequest): LogSearchResult {
    const started = performance.now();
    if (!this.guard.failing) this.flush();
    const answer = this.searcher.run(request);
    // Unsaved lines (the store refuses writes) are newer than every stored one: matched here, by the same rules.
    const unsaved = this.guard.failing
      ? this.pending
          .filter((l) => l.project === request.project && (request.cursor === undefined || l.seq < request.cursor))
          .filter((l) => LogStore.withinRequest(l, request) && lineMatches(l, request.query))
          .reverse()
      : [];
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

  private static withinRequest(l: LogLine, r: LogSearchRequest): boolean {
    if (r.services && r.services.length > 0 && !r.services.includes(l.service)) return false;
    if (r.since !== undefined && l.ts < r.since) return false;
    if (r.until !== undefined && l.ts > r.until) return false;
    return r.minLevel === undefined || (l.level !== null && l.level !== undefined && l.level >= r.minLevel);
  }

  /**
   * Writes pending lines and their index rows in one transaction, then trims projects past their size.
   * Never throws: when the store refuses, the lines stay pending and the write is tried again every `retryMs`.
   */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0 || !this.database.db.open) return;
    const batch = this.pending.slice();
    const db = this.database.db;
    const totals = new Map<string, { bytes: number; lines: number }>();
    for (const l of batch) {
      const t = totals.get(l.project) ?? { bytes: 0, lines: 0 };
      t.bytes += Buffer.byteLength(l.text, 'utf8');
      t.lines++;
      totals.set(l.project, t);
    }
    const stored = this.guard.background(() =>
      db.transaction(() => {
        for (const l of batch) {
          const fields = l.fields === undefined ? null : JSON.stringify(l.fields);
          this.insert.run(l.seq, l.project, l.service, l.stream, l.ts, l.text, l.level ?? null, l.msg ?? null, fields);
          this.index.run(l.seq, displayText(l));
        }
        this.retention.record(totals);
      })(),
    );
    if (!stored) {
      this.timer = this.retryTimer();
      return;
    }
    this.pending.splice(0, batch.length);
    this.retention.committed(totals);
    // one bounded step per write: a flood of lines trims as it goes, never in one long delete
    for (const project of totals.keys()) {
      if (this.retention.overSize(project)) this.guard.background(() => this.retention.trimBySize(project));
    }
  }

  private trimByAge(): void {
    this.ageTimer = null;
    if (!this.database.db.open) return;
    let more = false;
    if (!this.guard.failing) this.guard.background(() => (more = this.retention.trimByAge()));
    this.ageTimer = setTimeout(() => this.trimByAge(), more ? 50 : this.ageCheckMs);
    this.ageTimer.unref();
  }

  /** A last write of what is pending; a store that still refuses it gets no more retries. */
  dispose(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    if (this.ageTimer) clearTimeout(this.ageTimer);
    this.timer = null;
    this.ageTimer = null;
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
