// The lines between the daemon and the store: appended lines wait in `pending` until a write through the
// LogWriter stores them, one write in flight at a time, up to `maxBatch` lines each (a flood is written in large
// batches, which FTS5 indexes for less than many small ones). Retention's trims run between writes. While
// `highWater` lines wait, `congested()` tells the readers of services' pipes to stop until half are written.
// A store that refuses writes keeps the newest `maxUnsaved` lines, drops and counts older ones, and is tried again
// every `retryMs`; it never holds services back. Nothing here throws into a timer or a pipe's reader.
import type { LogLine } from '../../../shared/service.js';
import { displayText } from '../../../shared/log-match.js';
import type { StoreGuard } from '../health/store-guard.js';
import type { Sqlite } from '../store/database.js';
import type { LogRetention, LogTrim } from './log-retention.js';
import type { LogWriter, LogWriteStep } from './log-writer.js';

export interface LogBacklogDeps {
  db: Sqlite;
  writer: LogWriter;
  retention: LogRetention;
  guard: StoreGuard;
  ageCheckMs: number;
  flushIntervalMs: number;
  flushBatchSize: number;
  maxBatch: number;
  highWater: number;
  maxUnsaved: number;
  retryMs: number;
}

type Usage = { bytes: number; lines: number };

const INSERT_LINE =
  'INSERT INTO log_lines (seq, project, service, stream, ts, text, level, msg, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_INDEX = 'INSERT INTO log_fts (rowid, body) VALUES (?, ?)';

export class LogBacklog {
  /** lines not in SQLite yet, oldest first; the first `inFlight` of them are being written */
  private readonly pending: LogLine[] = [];
  private inFlight = 0;
  /** a write (lines or a trim) is running */
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private ageTimer: NodeJS.Timeout | null = null;
  /** trims due, run between writes of lines */
  private readonly trims: LogTrim[] = [];
  private readonly oversized = new Set<string>();
  private ageMore = false;
  private closed = false;
  /** the writer is closed: lines appended after close stay in memory only */
  private ended = false;
  private readonly drained: Array<() => void> = [];
  private readonly settledWaiters: Array<() => void> = [];
  private readonly db: Sqlite;
  private readonly writer: LogWriter;
  private readonly retention: LogRetention;
  private readonly guard: StoreGuard;
  private readonly ageCheckMs: number;
  private readonly flushIntervalMs: number;
  private readonly flushBatchSize: number;
  private readonly maxBatch: number;
  private readonly highWater: number;
  private readonly maxUnsaved: number;
  private readonly retryMs: number;

  constructor(deps: LogBacklogDeps) {
    ({
      db: this.db,
      writer: this.writer,
      retention: this.retention,
      guard: this.guard,
      ageCheckMs: this.ageCheckMs,
      flushIntervalMs: this.flushIntervalMs,
      flushBatchSize: this.flushBatchSize,
      maxBatch: this.maxBatch,
      highWater: this.highWater,
      maxUnsaved: this.maxUnsaved,
      retryMs: this.retryMs,
    } = deps);
    this.ageTimer = setTimeout(() => this.ageDue(), 0);
    this.ageTimer.unref();
  }

  /** Takes a line to store: written at once when a batch is full, else within flushIntervalMs. */
  add(line: LogLine): void {
    this.pending.push(line);
    if (this.guard.failing) {
      // the lines being written stay: only those waiting behind them are dropped
      const excess = Math.min(this.pending.length - this.maxUnsaved, this.pending.length - this.inFlight);
      if (excess > 0) {
        this.pending.splice(this.inFlight, excess);
        this.guard.dropped(excess);
      }
      this.timer ??= this.retryTimer();
    } else if (this.pending.length - this.inFlight >= this.flushBatchSize) this.pump();
    else this.timer ??= setTimeout(() => this.pump(), this.flushIntervalMs);
  }

  /**
   * Null while the writer keeps up; else a promise that settles once it has caught up (half the high water
   * left), the store fails (its lines are then bounded by dropping, not by waiting) or the store closes.
   * Readers of services' output stop reading until it settles.
   */
  congested(): Promise<void> | null {
    if (this.pending.length < this.highWater || this.guard.failing || this.closed) return null;
    return new Promise((resolve) => this.drained.push(resolve));
  }
  /** Settles once every line appended so far is stored (or the store refuses them, or closes). */
  settled(): Promise<void> {
    if (this.quiet) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }
  /** Lines appended and not stored yet. */
  get size(): number {
    return this.pending.length;
  }
  /** The pending lines the store does not hold yet (those written since `top` was read are held). */
  unsaved(top: number): LogLine[] {
    if (this.pending.length === 0 || this.pending.at(-1)!.seq <= top) return [];
    return this.pending.filter((l) => l.seq > top);
  }
  /** Starts the next write now, if none is running: a trim that is due, else the pending lines. */
  flush(): void {
    this.pump();
  }
  /**
   * Writes what is pending and ends the writer. Inline, all of it is done when this returns; with a writer
   * thread, the promise settles when it is. A store that still refuses the lines gets no more retries.
   */
  close(): void | Promise<void> {
    this.closed = true;
    if (this.ageTimer) clearTimeout(this.ageTimer);
    this.ageTimer = null;
    this.trims.length = 0;
    this.pump();
    const finish = (): void | Promise<void> => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.release(true);
      this.ended = true;
      return this.writer.close();
    };
    if (this.quiet) return finish();
    return this.settled().then(finish);
  }
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.busy || this.ended || !this.db.open) return;
    const trim = this.nextTrim();
    if (trim) return this.runTrim(trim);
    if (this.pending.length === 0) return this.wake();
    this.writeLines(this.pending.slice(0, this.maxBatch));
  }
  /**
   * Writes a batch of lines and their index rows in one transaction, and counts them. When it ends: the
   * lines leave `pending`, a project past its size gets a trim, and the next write starts. A store that
   * refuses keeps the lines pending and is tried again every `retryMs`.
   */
  private writeLines(batch: LogLine[]): void {
    const totals = new Map<string, Usage>();
    const lines: unknown[][] = [];
    for (const l of batch) {
      const t = totals.get(l.project) ?? { bytes: 0, lines: 0 };
      t.bytes += Buffer.byteLength(l.text, 'utf8');
      t.lines++;
      totals.set(l.project, t);
      const fields = l.fields === undefined ? null : JSON.stringify(l.fields);
      // the text to index: a plain line's own (null: the writer takes it from the row), a JSON line's message and fields
      const body = l.msg === undefined ? null : displayText(l);
      lines.push([l.seq, l.project, l.service, l.stream, l.ts, l.text, l.level ?? null, l.msg ?? null, fields, body]);
    }
    const steps: LogWriteStep[] = [
      { sql: INSERT_LINE, rows: lines, index: { sql: INSERT_INDEX, indexText: 5 } },
      this.retention.record(totals),
    ];
    this.busy = true;
    this.inFlight = batch.length;
    this.writer.write(steps, (err) => {
      this.busy = false;
      this.inFlight = 0;
      if (err) return this.refused(err);
      this.guard.succeeded();
      this.pending.splice(0, batch.length);
      this.retention.committed(totals);
      // one bounded step per write: a flood of lines trims as it goes, never in one long delete
      for (const project of totals.keys()) if (this.retention.overSize(project)) this.oversized.add(project);
      this.release();
      this.next();
    });
  }
  private runTrim(trim: LogTrim): void {
    this.busy = true;
    this.writer.write(trim.steps, (err, results) => {
      this.busy = false;
      if (err) return this.refused(err);
      this.guard.succeeded();
      this.retention.trimmed(trim.project, results[0]);
      if (this.retention.overSize(trim.project)) this.oversized.add(trim.project);
      this.next();
    });
  }
  /** The trim to run before more lines: a project's size first, then what the age check found. */
  private nextTrim(): LogTrim | null {
    if (this.guard.failing) return null;
    for (const project of this.oversized) {
      this.oversized.delete(project);
      let trim: LogTrim | null = null;
      if (!this.guard.background(() => (trim = this.retention.trimBySize(project)))) return null;
      if (trim) return trim;
    }
    return this.trims.shift() ?? null;
  }
  private next(): void {
    if (this.closed && this.pending.length === 0 && this.trims.length === 0 && this.oversized.size === 0) {
      return this.wake();
    }
    if (this.oversized.size > 0 || this.trims.length > 0 || this.pending.length >= this.flushBatchSize) this.pump();
    else if (this.pending.length > 0) this.timer ??= setTimeout(() => this.pump(), this.flushIntervalMs);
    else this.wake();
    if (this.trims.length === 0 && this.ageTimer === null && !this.closed) this.armAge();
  }
  private refused(err: Error): void {
    this.guard.report(err);
    this.timer ??= this.retryTimer();
    // services are not held back by a failing store: its lines are bounded by dropping (see append)
    this.release(true);
    this.wake();
  }
  /** Lets services' readers go on once the writer has caught up (or at once: `all`). */
  private release(all = false): void {
    if (this.drained.length === 0 || (!all && this.pending.length > this.highWater / 2)) return;
    for (const resolve of this.drained.splice(0)) resolve();
  }
  private get quiet(): boolean {
    return !this.busy && (this.pending.length === 0 || this.guard.failing || this.ended || !this.db.open);
  }
  private wake(): void {
    if (this.quiet) for (const resolve of this.settledWaiters.splice(0)) resolve();
  }
  private ageDue(): void {
    this.ageTimer = null;
    if (!this.db.open || this.closed) return;
    if (!this.guard.failing) {
      this.guard.background(() => {
        const found = this.retention.trimByAge();
        this.trims.push(...found.trims);
        this.ageMore = found.more;
      });
    }
    if (this.trims.length > 0) this.pump();
    else this.armAge();
  }
  /** The next age check: soon while a step left more to drop, else after ageCheckMs. */
  private armAge(): void {
    if (this.ageTimer) return;
    this.ageTimer = setTimeout(() => this.ageDue(), this.ageMore ? 50 : this.ageCheckMs);
    this.ageMore = false;
    this.ageTimer.unref();
  }
  private retryTimer(): NodeJS.Timeout {
    const timer = setTimeout(() => this.pump(), this.retryMs);
    timer.unref();
    return timer;
  }
}
