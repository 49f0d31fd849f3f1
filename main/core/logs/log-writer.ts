// Where the log store's writes run. A write is a list of statements run in one transaction, each over its rows
// (an INSERT of a batch of lines, its index rows, the usage counts), and `done` hears how it ended. Two writers
// keep one contract:
// - InlineLogWriter runs the transaction at once, on the caller's thread, and calls `done` before it returns
//   (a store in memory, and the unit tests that read right after they write);
// - ThreadLogWriter (log-writer-thread.ts) runs it on a worker thread with a connection of its own, so a
//   service flooding its output costs the daemon's event loop (the proxy, the terminals) almost nothing.
// The caller (LogStore) has at most one write in flight and keeps its lines until `done` says they are stored.
import type { Database, Sqlite } from '../store/database.js';
import { ThreadLogWriter } from './log-writer-thread.js';

/**
 * One statement of a write: run once per row, or (`get`) once with the first row, its row read back. With
 * `index`, each row ends with one more value, the text to index (null: the row's `indexText`-th value), and
 * `index` runs after `sql` with the row's first value and that text: a plain line's text crosses to a writer
 * thread once, not twice.
 */
export interface LogWriteStep {
  sql: string;
  rows: unknown[][];
  get?: boolean;
  index?: { sql: string; indexText: number };
}

/** How a write ended: the error (its SQLite code kept), or each step's result (a `get`'s row, else null). */
export type LogWriteDone = (err: Error | null, results: unknown[]) => void;

export interface LogWriter {
  /** Runs `steps` in one transaction; `done` is called once, never throws into the writer. */
  write(steps: LogWriteStep[], done: LogWriteDone): void;
  /** Ends the writer once its write in flight is done; the store may still be read. */
  close(): Promise<void> | void;
}

/** Runs each step over its rows; `prepare` caches statements. Shared by both writers' code paths. */
export function runSteps(db: Sqlite, steps: LogWriteStep[]): unknown[] {
  return db.transaction(() =>
    steps.map((step) => {
      const statement = db.prepare(step.sql);
      if (step.get) return statement.get(...(step.rows[0] ?? [])) ?? null;
      const index = step.index ? db.prepare(step.index.sql) : null;
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
}

export class InlineLogWriter implements LogWriter {
  constructor(private readonly db: Sqlite) {}

  write(steps: LogWriteStep[], done: LogWriteDone): void {
    let results: unknown[];
    try {
      results = runSteps(this.db, steps);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)), []);
      return;
    }
    done(null, results);
  }

  close(): void {}
}

/** A store on disk gets a writer thread; one in memory (no file another connection could open) writes inline. */
export function logWriterFor(database: Database): LogWriter {
  const path = database.path;
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return new InlineLogWriter(database.db);
  return new ThreadLogWriter(path);
}
