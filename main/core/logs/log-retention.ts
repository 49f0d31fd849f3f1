// How much log a project keeps: by size (the UTF-8 bytes its services printed) and by age, whichever cuts
// first (devmesh.yaml `logs: { retain_size, retain_age }`, default 1 GB and 14 days). Each project's bytes
// and lines are counted in log_usage, in the same transaction as the lines, so checking the size costs a
// map lookup. Trimming deletes the oldest lines and their index rows in bounded chunks: a store of a
// million lines never stalls the daemon for one long delete. Callers run it under their StoreGuard.
import type { Sqlite } from '../store/database.js';

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

/** a trim goes down to this share of the size limit, so the next batch does not trim again at once */
const LOW_WATER = 0.9;

export class LogRetention {
  private readonly usage = new Map<string, Usage>();
  private readonly policies = new Map<string, LogRetentionPolicy>();
  private readonly defaults: LogRetentionPolicy;
  private readonly chunk: number;
  private readonly now: () => number;
  private readonly addUsage;

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
    this.addUsage = db.prepare(
      `INSERT INTO log_usage (project, bytes, lines) VALUES (?, ?, ?)
       ON CONFLICT (project) DO UPDATE SET bytes = bytes + excluded.bytes, lines = lines + excluded.lines`,
    );
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

  /** Counts a written batch; call inside the transaction that writes it, then `committed` after it. */
  record(totals: Map<string, Usage>): void {
    for (const [project, u] of totals) this.addUsage.run(project, u.bytes, u.lines);
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

  /** One step down towards the size limit; true when the project is still over it. */
  trimBySize(project: string): boolean {
    const u = this.usage.get(project);
    const { maxBytes } = this.policy(project);
    if (!u || u.bytes <= maxBytes || u.lines === 0) return false;
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
    this.deleteThrough(project, last);
    return this.overSize(project);
  }

  /** One step of dropping lines past their project's age, every project; true when more is left to drop. */
  trimByAge(): boolean {
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
      this.deleteThrough(project, last, cutoff);
      if (expired === this.chunk) more = true;
    }
    return more;
  }

  /** Drops a project's lines up to `last` (and older than `before`, when given), index rows and counts too. */
  private deleteThrough(project: string, last: number, before = Number.MAX_SAFE_INTEGER): void {
    const scope = 'FROM log_lines NOT INDEXED WHERE seq <= ? AND project = ? AND ts < ?';
    const args = [last, project, before];
    const gone = this.db.transaction(() => {
      const counted = this.db
        .prepare(`SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) AS bytes, count(*) AS lines ${scope}`)
        .get(...args) as Usage;
      this.db.prepare(`DELETE FROM log_fts WHERE rowid IN (SELECT seq ${scope})`).run(...args);
      this.db.prepare(`DELETE ${scope}`).run(...args);
      this.db
        .prepare('UPDATE log_usage SET bytes = max(0, bytes - ?), lines = max(0, lines - ?) WHERE project = ?')
        .run(counted.bytes, counted.lines, project);
      return counted;
    })();
    // the map follows only a committed delete (a throw above leaves it as it was)
    const have = this.usage.get(project) ?? { bytes: 0, lines: 0 };
    this.usage.set(project, {
      bytes: Math.max(0, have.bytes - gone.bytes),
      lines: Math.max(0, have.lines - gone.lines),
    });
  }
}
