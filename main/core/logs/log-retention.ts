// How much log a project keeps: by size (the UTF-8 bytes its services printed) and by age, whichever cuts
// first (devmesh.yaml `logs: { retain_size, retain_age }`, default 1 GB and 14 days). Each project's bytes
// and lines are counted in log_usage, in the same transaction as the lines, so checking the size costs a
// map lookup. Trimming deletes the oldest lines and their index rows in bounded chunks: a store of a
// million lines never stalls the daemon for one long delete. What to delete is read here; the deletes are
// steps the caller (LogStore) hands to its LogWriter, and `trimmed` counts them once they are committed.
import type { Sqlite } from '../store/database.js';
import type { LogWriteStep } from './log-writer.js';

export interface LogRetentionPolicy {
  maxBytes: number;
  maxAgeMs: number;
}

export const DEFAULT_LOG_RETENTION: LogRetentionPolicy = { maxBytes: 1024 ** 3, maxAgeMs: 14 * 24 * 3_600_000 };

export interface LogRetentionDeps {
  defaults?: LogRetentionPolicy;
  /** lines deleted per step at most */
  chunkLines?: number;
  now?: () => number;
}

interface Usage {
  bytes: number;
  lines: number;
}

/** One bounded delete of a project's oldest lines; its first step reads back what it removes. */
export interface LogTrim {
  project: string;
  steps: LogWriteStep[];
}

const UPSERT_USAGE = `INSERT INTO log_usage (project, bytes, lines) VALUES (?, ?, ?)
  ON CONFLICT (project) DO UPDATE SET bytes = bytes + excluded.bytes, lines = lines + excluded.lines`;

/** a trim goes down to this share of the size limit, so the next batch does not trim again at once */
const LOW_WATER = 0.9;

export class LogRetention {
  private readonly usage = new Map<string, Usage>();
  private readonly policies = new Map<string, LogRetentionPolicy>();
  private readonly defaults: LogRetentionPolicy;
  private readonly chunk: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Sqlite,
    deps: LogRetentionDeps = {},
  ) {
    this.defaults = deps.defaults ?? DEFAULT_LOG_RETENTION;
    this.chunk = deps.chunkLines ?? 20_000;
    this.now = deps.now ?? Date.now;
    for (const row of db.prepare('SELECT project, bytes, lines FROM log_usage').all() as ({
      project: string;
    } & Usage)[])
      this.usage.set(row.project, { bytes: row.bytes, lines: row.lines });
  }

  policy(project: string): LogRetentionPolicy {
    return this.policies.get(project) ?? this.defaults;
  }

  setPolicy(project: string, policy: LogRetentionPolicy | null): void {
    if (policy) this.policies.set(project, policy);
    else this.policies.delete(project);
  }

  /** What the store holds for a project. */
  usageOf(project: string): Usage {
    return { ...(this.usage.get(project) ?? { bytes: 0, lines: 0 }) };
  }

  /** The step that counts a batch of lines, for the transaction that writes them; `committed` after it. */
  record(totals: Map<string, Usage>): LogWriteStep {
    return { sql: UPSERT_USAGE, rows: [...totals].map(([project, u]) => [project, u.bytes, u.lines]) };
  }

  committed(totals: Map<string, Usage>): void {
    for (const [project, u] of totals) {
      const have = this.usage.get(project) ?? { bytes: 0, lines: 0 };
      this.usage.set(project, { bytes: have.bytes + u.bytes, lines: have.lines + u.lines });
    }
  }

  overSize(project: string): boolean {
    return (this.usage.get(project)?.bytes ?? 0) > this.policy(project).maxBytes;
  }

  /** One step down towards the size limit (null: the project is within it). */
  trimBySize(project: string): LogTrim | null {
    const u = this.usage.get(project);
    const { maxBytes } = this.policy(project);
    if (!u || u.bytes <= maxBytes || u.lines === 0) return null;
    const excess = u.bytes - Math.floor(maxBytes * LOW_WATER);
    const perLine = Math.max(1, u.bytes / u.lines);
    const count = Math.min(this.chunk, Math.max(1, Math.ceil(excess / perLine)));
    const cut = this.db
      .prepare('SELECT seq FROM log_lines NOT INDEXED WHERE project = ? ORDER BY seq LIMIT 1 OFFSET ?')
      .get(project, count - 1) as { seq: number } | undefined;
    const last =
      cut?.seq ??
      (
        this.db.prepare('SELECT max(seq) AS s FROM log_lines NOT INDEXED WHERE project = ?').get(project) as {
          s: number;
        }
      ).s;
    return LogRetention.deleteThrough(project, last);
  }

  /** One step of dropping lines past their project's age, every project; `more`: more is left to drop. */
  trimByAge(): { trims: LogTrim[]; more: boolean } {
    const trims: LogTrim[] = [];
    let more = false;
    for (const project of [...this.usage.keys()]) {
      const cutoff = this.now() - this.policy(project).maxAgeMs;
      // the oldest lines first (seq grows with time): a store with nothing too old reads one row
      const oldest = this.db.prepare(
        'SELECT seq, ts FROM log_lines NOT INDEXED WHERE project = ? ORDER BY seq LIMIT ?',
      );
      let last: number | null = null;
      let expired = 0;
      for (const row of oldest.iterate(project, this.chunk) as Iterable<{ seq: number; ts: number }>) {
        if (row.ts >= cutoff) break;
        last = row.seq;
        expired++;
      }
      if (last === null) continue;
      trims.push(LogRetention.deleteThrough(project, last, cutoff));
      if (expired === this.chunk) more = true;
    }
    return { trims, more };
  }

  /** Counts a trim's delete once it is committed (`counted`: its first step's row). */
  trimmed(project: string, counted: unknown): void {
    const gone = (counted ?? { bytes: 0, lines: 0 }) as Usage;
    const have = this.usage.get(project) ?? { bytes: 0, lines: 0 };
    this.usage.set(project, {
      bytes: Math.max(0, have.bytes - gone.bytes),
      lines: Math.max(0, have.lines - gone.lines),
    });
  }

  /** Drops a project's lines up to `last` (and older than `before`, when given), index rows and counts too. */
  private static deleteThrough(project: string, last: number, before = Number.MAX_SAFE_INTEGER): LogTrim {
    const scope = 'FROM log_lines NOT INDEXED WHERE seq <= ? AND project = ? AND ts < ?';
    const args = [last, project, before];
    const sum = `SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) ${scope}`;
    return {
      project,
      steps: [
        {
          sql: `SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) AS bytes, count(*) AS lines ${scope}`,
          rows: [args],
          get: true,
        },
        {
          sql: `UPDATE log_usage SET bytes = max(0, bytes - (${sum})), lines = max(0, lines - (SELECT count(*) ${scope}))
                WHERE project = ?`,
          rows: [[...args, ...args, project]],
        },
        { sql: `DELETE FROM log_fts WHERE rowid IN (SELECT seq ${scope})`, rows: [args] },
        { sql: `DELETE ${scope}`, rows: [args] },
      ],
    };
  }
}
