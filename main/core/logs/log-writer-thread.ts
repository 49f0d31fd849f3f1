// The log store's writes on a worker thread (see log-writer.ts). The thread opens the store with a connection of
// its own (WAL: the daemon's connection keeps reading while it writes; SQLite lets one writer at a time, and a
// write of the daemon's own waits for the thread's transaction through busy_timeout). Its code is
// `logWriterThread` below, sent as text like the backup job's, so it is self-contained.
//
// The thread starts at the first write and ends after `idleMs` without one, so a quiet daemon holds no second
// V8 isolate. A thread that dies (a crash in it, a failed open) fails the write in flight with what it said; the
// next write starts a new one. Nothing here throws into the daemon: every end reaches `done`.
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import type { LogWriteDone, LogWriter, LogWriteStep } from './log-writer.js';

interface Request {
  id: number;
  /** the steps as JSON: one string crosses to the thread for less than a structured clone of every row */
  steps?: string;
  close?: boolean;
}

type Reply =
  { id: number; ok: true; results: unknown[] } | { id: number; ok: false; error: { message: string; code?: string } };

/** What the thread runs. Self-contained: no reference to anything outside its parameters. */
export function logWriterThread(Sqlite: typeof BetterSqlite3, port: MessagePort, path: string): void {
  let db: BetterSqlite3.Database | null = null;
  let opening: unknown = null;
  try {
    db = new Sqlite(path, { fileMustExist: true });
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    opening = err;
  }
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db!.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const fail = (id: number, err: unknown): void => {
    const e = err as { message?: unknown; code?: unknown } | null;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    port.postMessage({ id, ok: false, error: { message: String(e?.message ?? err), code } });
  };
  port.on('message', (m: Request) => {
    if (m.close) {
      if (db?.open) db.close();
      port.postMessage({ id: m.id, ok: true, results: [] });
      port.close();
      return;
    }
    if (!db) return fail(m.id, opening);
    try {
      const steps = JSON.parse(m.steps!) as LogWriteStep[];
      const results = db.transaction(() =>
        steps.map((step) => {
          const statement = prepared(step.sql);
          if (step.get) return statement.get(...(step.rows[0] ?? [])) ?? null;
          const index = step.index ? prepared(step.index.sql) : null;
          for (const row of step.rows) {
            if (!index) {
              statement.run(row);
              continue;
            }
            const text = row.pop() ?? row[step.index!.indexText];
            statement.run(row);
            index.run(row[0], text);
          }
          return null;
        }),
      )();
      port.postMessage({ id: m.id, ok: true, results });
    } catch (err) {
      fail(m.id, err);
    }
  });
}

/** the thread's young generation (see thread()) */
const YOUNG_MB = 4;

export interface ThreadLogWriterOptions {
  /** the thread ends after this long without a write */
  idleMs?: number;
}

export class ThreadLogWriter implements LogWriter {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, LogWriteDone>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly idleMs: number;

  constructor(
    private readonly path: string,
    options: ThreadLogWriterOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 30_000;
  }

  /** Is a thread running now (for tests and the RSS figures)? */
  get running(): boolean {
    return this.worker !== null;
  }

  write(steps: LogWriteStep[], done: LogWriteDone): void {
    if (this.closing) {
      done(Object.assign(new Error('the log writer is closed'), { code: 'LOG_WRITER_CLOSED' }), []);
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    this.waiting.set(id, done);
    try {
      this.thread().postMessage({ id, steps: JSON.stringify(steps) } satisfies Request);
    } catch (err) {
      this.settle(id, err instanceof Error ? err : new Error(String(err)), []);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    if (!worker) return;
    // messages are handled in order: the close is answered after the write in flight
    await new Promise<void>((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, () => resolve());
      worker.once('exit', () => resolve());
      worker.postMessage({ id, close: true } satisfies Request);
    });
    await worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const code = `
const { parentPort, workerData } = require('node:worker_threads');
(${logWriterThread.toString()})(require(workerData.sqlite), parentPort, workerData.path);`;
    const worker = new Worker(code, {
      eval: true,
      workerData: { sqlite: require.resolve('better-sqlite3'), path: this.path },
      // V8 would give the thread's young generation 16 MB semi-spaces (about 40 MB of heap kept for it); a
      // batch's rows live only for its transaction, so a small one does (bench/logs.mjs prints the daemon's RSS)
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB },
    });
    worker.unref();
    worker.on('message', (m: Reply) => {
      if (m.ok) this.settle(m.id, null, m.results);
      else this.settle(m.id, Object.assign(new Error(m.error.message), { code: m.error.code }), []);
    });
    const died = (why: Error): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const id of [...this.waiting.keys()]) this.settle(id, why, []);
    };
    worker.on('error', (err) => died(err));
    worker.on('exit', (code) => died(new Error(`the log writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, err: Error | null, results: unknown[]): void {
    const done = this.waiting.get(id);
    if (!done) return;
    this.waiting.delete(id);
    try {
      done(err, results);
    } finally {
      if (this.waiting.size === 0 && this.worker && !this.closing) this.armIdle();
    }
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.retire(), this.idleMs);
    this.idleTimer.unref();
  }

  /** Ends an idle thread; the next write starts a new one. */
  private retire(): void {
    this.idleTimer = null;
    const worker = this.worker;
    if (!worker || this.waiting.size > 0) return;
    this.worker = null;
    worker.postMessage({ id: this.nextId++, close: true } satisfies Request);
    worker.once('message', () => void worker.terminate());
  }
}
