// Every request the proxy answered: streamed to the faces at once, counted per service by TrafficStats,
// and stored in SQLite in small batches, capped in rows kept and in rows stored per second. A flood (a
// load test) would otherwise spend the proxy's time writing rows nobody reads, and one big synchronous
// batch stalls every connection: past the per-second cap, requests are counted but not stored.
import type { RequestPage, RequestRecord } from '../../../shared/proxy.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../lifecycle/disposable.js';
import type { Database } from '../store/database.js';
import type { TrafficStats } from './traffic-stats.js';

export interface RequestPageQuery {
  project?: string | undefined;
  service?: string | undefined;
  before?: number | undefined;
  limit: number;
  errorsOnly?: boolean | undefined;
  search?: string | undefined;
}

interface Row {
  seq: number;
  ts: number;
  method: string;
  host: string;
  path: string;
  status: number;
  bytes_in: number;
  bytes_out: number;
  duration_ms: number;
  project: string | null;
  service: string | null;
  upstream: string | null;
  error: string | null;
  tls: number;
  websocket: number;
  caller: string | null;
  instance: string | null;
}

export class RequestLog implements Disposable {
  private seq: number;
  private readonly pending: RequestRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sinceTrim = 0;
  private second = 0;
  private storedThisSecond = 0;
  /** requests not stored because of the per-second cap, since start */
  unstored = 0;
  private readonly maxPerSecond: number;
  private readonly insert;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    private readonly stats: TrafficStats,
    private readonly options: { retain?: number; flushIntervalMs?: number; maxStoredPerSecond?: number } = {},
  ) {
    this.maxPerSecond = options.maxStoredPerSecond ?? 2000;
    const db = database.db;
    this.seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM proxy_requests').get() as { s: number }).s;
    this.insert = db.prepare(
      `INSERT INTO proxy_requests (seq, ts, method, host, path, status, bytes_in, bytes_out, duration_ms, project, service, upstream, error, tls, websocket, caller, instance)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(entry: Omit<RequestRecord, 'seq'>): RequestRecord {
    const record: RequestRecord = { ...entry, path: entry.path.slice(0, 2048), host: entry.host.slice(0, 255), caller: entry.caller?.slice(0, 255) ?? null, seq: ++this.seq };
    const second = Math.floor(record.ts / 1000);
    if (second !== this.second) {
      this.second = second;
      this.storedThisSecond = 0;
    }
    if (this.storedThisSecond < this.maxPerSecond) {
      this.storedThisSecond++;
      this.pending.push(record);
      this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs ?? 100);
    } else {
      this.unstored++;
    }
    this.stats.observe(record);
    this.events.proxyRequest(record);
    return record;
  }

  page(query: RequestPageQuery): RequestPage {
    this.flush();
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.project) {
      where.push('project = ?');
      args.push(query.project);
    }
    if (query.service) {
      where.push('service = ?');
      args.push(query.service);
    }
    if (query.before !== undefined) {
      where.push('seq < ?');
      args.push(query.before);
    }
    if (query.errorsOnly) where.push('(status >= 400 OR error IS NOT NULL)');
    if (query.search) {
      where.push("(path LIKE ? ESCAPE '\\' OR host LIKE ? ESCAPE '\\')");
      const like = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(like, like);
    }
    const sql = `SELECT * FROM proxy_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.database.db.prepare(sql).all(...args, query.limit + 1) as Row[];
    return { requests: rows.slice(0, query.limit).reverse().map(RequestLog.fromRow), hasMore: rows.length > query.limit };
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0 || !this.database.db.open) return;
    const batch = this.pending.splice(0);
    this.database.db.transaction(() => {
      for (const r of batch) {
        this.insert.run(r.seq, r.ts, r.method, r.host, r.path, r.status, r.bytesIn, r.bytesOut, r.durationMs, r.project, r.service, r.upstream, r.error, r.tls ? 1 : 0, r.websocket ? 1 : 0, r.caller, r.instance);
      }
    })();
    const retain = this.options.retain ?? 50_000;
    this.sinceTrim += batch.length;
    if (this.sinceTrim >= Math.max(1, Math.floor(retain / 10))) {
      this.sinceTrim = 0;
      this.database.db.prepare('DELETE FROM proxy_requests WHERE seq <= ?').run(this.seq - retain);
    }
  }

  dispose(): void {
    this.flush();
  }

  private static fromRow(r: Row): RequestRecord {
    return {
      seq: r.seq,
      ts: r.ts,
      method: r.method,
      host: r.host,
      path: r.path,
      status: r.status,
      bytesIn: r.bytes_in,
      bytesOut: r.bytes_out,
      durationMs: r.duration_ms,
      project: r.project,
      service: r.service,
      upstream: r.upstream,
      error: r.error,
      tls: r.tls === 1,
      websocket: r.websocket === 1,
      caller: r.caller,
      instance: r.instance,
    };
  }
}
