// Every request the proxy answered: streamed to the faces at once, counted per service by TrafficStats,
// and stored in SQLite in small batches, capped in rows kept and in rows stored per second. A flood (a
// load test) would otherwise spend the proxy's time writing rows nobody reads, and one big synchronous
// batch stalls every connection: past the per-second cap, requests are counted but not stored, and a
// batch is written in slices of SLICE_ROWS rows (a fraction of a millisecond each), the loop running between
// them. A store that fails (a full disk) never throws into the proxy or a timer: see REQUEST_LOG_RULE.
import type { RequestPage, RequestRecord } from '../../../shared/proxy.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../base/disposable.js';
import type { Database } from '../store/database.js';
import type { TrafficStats } from './traffic-stats.js';
import { DaemonHealth } from '../health/daemon-health.js';
import { PENDING_MAX_WAITING, PENDING_RETRY_MS, PendingBatch } from '../health/pending-batch.js';
import { StoreGuard } from '../health/store-guard.js';
import { countText } from '../base/count-text.js';

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

/** what happens to request rows while the store cannot be written */
export const REQUEST_LOG_RULE =
  'new requests still stream to the Requests view and count in the traffic figures; their rows wait in memory ' +
  `(at most ${countText(PENDING_MAX_WAITING)}) and are written again every ${PENDING_RETRY_MS / 1000} s; ` +
  'past that the oldest waiting rows are dropped and counted';

/** rows per transaction of a background flush: ~50 rows take well under a millisecond here */
const SLICE_ROWS = 50;

export interface RequestLogDeps {
  retain?: number;
  flushIntervalMs?: number;
  maxStoredPerSecond?: number;
  /** where failures are reported (the daemon's); default: a ledger of its own */
  health?: DaemonHealth;
  /** for messages: the database file */
  where?: string;
}

export class RequestLog implements Disposable {
  private seq: number;
  private readonly pending: PendingBatch<RequestRecord>;
  private second = 0;
  private storedThisSecond = 0;
  /** requests not stored because of the per-second cap, since start */
  unstored = 0;
  private readonly maxPerSecond: number;
  private readonly insert;
  private readonly trim;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    private readonly stats: TrafficStats,
    private readonly deps: RequestLogDeps = {},
  ) {
    this.maxPerSecond = deps.maxStoredPerSecond ?? 2000;
    const db = database.db;
    this.seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM proxy_requests').get() as { s: number }).s;
    this.insert = db.prepare(
      `INSERT INTO proxy_requests (seq, ts, method, host, path, status, bytes_in, bytes_out, duration_ms, project,
        service, upstream, error, tls, websocket, caller, instance)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // rows past the retention, oldest first and a bounded number at a time (twice what a write adds, so the
    // table converges on `retain` without one long delete)
    this.trim = db.prepare(
      'DELETE FROM proxy_requests WHERE seq IN (SELECT seq FROM proxy_requests WHERE seq <= ? ORDER BY seq LIMIT ?)',
    );
    const guard = new StoreGuard(deps.health ?? DaemonHealth.detached(), {
      component: 'request log',
      where: deps.where ?? db.name,
      rule: REQUEST_LOG_RULE,
    });
    this.pending = new PendingBatch({
      guard,
      write: (batch) => this.write(batch),
      flushMs: deps.flushIntervalMs ?? 100,
      sliceMax: SLICE_ROWS,
    });
  }

  record(entry: Omit<RequestRecord, 'seq'>): RequestRecord {
    const record: RequestRecord = {
      ...entry,
      path: String(entry.path).slice(0, 2048),
      host: String(entry.host).slice(0, 255),
      caller: entry.caller?.slice(0, 255) ?? null,
      // a count the transport could not give (an HTTP/2 stream already closed) is 0, never a NULL the table refuses
      status: RequestLog.count(entry.status),
      bytesIn: RequestLog.count(entry.bytesIn),
      bytesOut: RequestLog.count(entry.bytesOut),
      durationMs: Number.isFinite(entry.durationMs) ? Math.max(0, entry.durationMs) : 0,
      seq: ++this.seq,
    };
    const second = Math.floor(record.ts / 1000);
    if (second !== this.second) {
      this.second = second;
      this.storedThisSecond = 0;
    }
    if (this.storedThisSecond < this.maxPerSecond) {
      this.storedThisSecond++;
      this.pending.push(record);
    } else {
      this.unstored++;
    }
    this.stats.observe(record);
    this.events.proxyRequest(record);
    return record;
  }

  /** rows waiting for the store (it failed), and rows given up since start */
  get backlog(): { waiting: number; dropped: number } {
    return { waiting: this.pending.waiting, dropped: this.pending.dropped };
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
    return {
      requests: rows.slice(0, query.limit).reverse().map(RequestLog.fromRow),
      hasMore: rows.length > query.limit,
    };
  }

  /** Writes waiting rows now (a page read sees every request answered so far). Never throws. */
  flush(): void {
    if (this.database.db.open) this.pending.flush();
  }

  dispose(): void {
    if (this.database.db.open) this.pending.dispose();
  }

  // One transaction: the rows and the trim that keeps the table bounded go in together or not at all.
  private write(batch: readonly RequestRecord[]): void {
    const retain = this.deps.retain ?? 50_000;
    this.database.db.transaction(() => {
      for (const r of batch) {
        this.insert.run(
          r.seq,
          r.ts,
          r.method,
          r.host,
          r.path,
          r.status,
          r.bytesIn,
          r.bytesOut,
          r.durationMs,
          r.project,
          r.service,
          r.upstream,
          r.error,
          r.tls ? 1 : 0,
          r.websocket ? 1 : 0,
          r.caller,
          r.instance,
        );
      }
      this.trim.run(this.seq - retain, 2 * batch.length);
    })();
  }

  private static count(n: number | undefined): number {
    return typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0;
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
