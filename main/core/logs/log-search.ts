// Answers a log search from SQLite: the words through the FTS5 index (log_fts, rowid = seq), the filters on
// log_lines, newest first from a cursor. Every plan is chosen here, not left to the planner, which without
// statistics would read a project's whole index and sort it: words walk the index newest first (FTS5 gives
// rowids in order) and look each line up; filters alone walk the table, a service's index or the index of
// warn-and-above lines backwards. Time bounds become seq bounds (seq grows with time).
import { DevMeshError } from '../../../shared/errors.js';
import { displayText, matchRanges } from '../../../shared/log-match.js';
import { tokenize, type FieldFilter, type LogQuery, type TextTerm } from '../../../shared/log-query.js';
import type { LogLine } from '../../../shared/service.js';
import type { Sqlite } from '../store/database.js';

export interface LogSearchRequest {
  project: string;
  query: LogQuery;
  /** only these services (the caller's choice, besides the query's service=) */
  services?: string[] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  minLevel?: number | undefined;
  limit: number;
  /** lines with seq < cursor */
  cursor?: number | undefined;
  count: boolean;
}

export interface LogSearchAnswer {
  /** newest first */
  lines: LogLine[];
  more: boolean;
  total: number | null;
}

export interface LogRow {
  seq: number;
  project: string;
  service: string;
  stream: LogLine['stream'];
  ts: number;
  text: string;
  level: number | null;
  msg: string | null;
  fields: string | null;
}

const COLUMNS = 'l.seq, l.project, l.service, l.stream, l.ts, l.text, l.level, l.msg, l.fields';
/** the partial index log_lines_warn covers level >= this (migration 016) */
const WARN = 40;

export class LogSearch {
  constructor(private readonly db: Sqlite) {}

  run(r: LogSearchRequest): LogSearchAnswer {
    const where: string[] = ['l.project = ?'];
    const args: unknown[] = [r.project];
    const services = this.services(r);
    if (services === null) return { lines: [], more: false, total: r.count ? 0 : null };
    const lo = r.since !== undefined ? this.firstSeqAtOrAfter(r.since) : null;
    const hiExclusive = r.until !== undefined ? this.firstSeqAtOrAfter(r.until + 1) : null;
    this.filters(r, services, where, args);

    // a field's `path=value` is in the index as the tokens of `path=value` (displayText): a first cut there
    const positive = [...r.query.terms.filter((t) => !t.negate), ...r.query.fields.flatMap(fieldTerm)];
    const negative = r.query.terms.filter((t) => t.negate);
    let from: string;
    let key: string;
    const matchArgs: unknown[] = [];
    if (positive.length > 0) {
      const match = positive.map(ftsPhrase).join(' AND ') + negative.map((t) => ` NOT ${ftsPhrase(t)}`).join('');
      from = 'log_fts f CROSS JOIN log_lines l ON l.seq = f.rowid';
      key = 'f.rowid';
      where.unshift('f.log_fts MATCH ?');
      matchArgs.push(match);
    } else {
      from = `log_lines l ${this.indexFor(r, services)}`;
      key = 'l.seq';
      if (negative.length > 0) {
        where.push('l.seq NOT IN (SELECT rowid FROM log_fts WHERE log_fts MATCH ?)');
        args.push(negative.map(ftsPhrase).join(' OR '));
      }
    }
    if (lo !== null) where.push(`${key} >= ${lo}`);
    if (hiExclusive !== null) where.push(`${key} < ${hiExclusive}`);
    const countWhere = where.join(' AND ');
    const pageWhere = r.cursor !== undefined ? `${countWhere} AND ${key} < ${Math.trunc(r.cursor)}` : countWhere;
    try {
      const rows = this.db
        .prepare(`SELECT ${COLUMNS} FROM ${from} WHERE ${pageWhere} ORDER BY ${key} DESC LIMIT ?`)
        .all(...matchArgs, ...args, r.limit + 1) as LogRow[];
      const total = r.count
        ? (
            this.db.prepare(`SELECT count(*) AS n FROM ${from} WHERE ${countWhere}`).get(...matchArgs, ...args) as {
              n: number;
            }
          ).n
        : null;
      const lines = rows.slice(0, r.limit).map(logLineOfRow);
      return { lines, more: rows.length > r.limit, total };
    } catch (err) {
      throw LogSearch.refused(err);
    }
  }

  /** [start, end) ranges of each line's shown text that match the query's words. */
  static matches(line: LogLine, terms: readonly TextTerm[]): [number, number][] {
    return matchRanges(displayText(line), terms);
  }

  /** The services to keep (null: no service can match both lists); [] means every service. */
  private services(r: LogSearchRequest): string[] | null {
    const fromQuery = r.query.services.include;
    const chosen = r.services ?? [];
    if (fromQuery.length === 0) return chosen;
    if (chosen.length === 0) return fromQuery;
    const both = fromQuery.filter((s) => chosen.includes(s));
    return both.length > 0 ? both : null;
  }

  private filters(r: LogSearchRequest, services: string[], where: string[], args: unknown[]): void {
    const q = r.query;
    if (services.length > 0) {
      where.push(`l.service IN (${services.map(() => '?').join(', ')})`);
      args.push(...services);
    }
    if (q.services.exclude.length > 0) {
      where.push(`l.service NOT IN (${q.services.exclude.map(() => '?').join(', ')})`);
      args.push(...q.services.exclude);
    }
    if (q.streams.include.length > 0) {
      where.push(`l.stream IN (${q.streams.include.map(() => '?').join(', ')})`);
      args.push(...q.streams.include);
    }
    if (q.streams.exclude.length > 0) {
      where.push(`l.stream NOT IN (${q.streams.exclude.map(() => '?').join(', ')})`);
      args.push(...q.streams.exclude);
    }
    const levels = [...q.levels];
    if (r.minLevel !== undefined) levels.push({ op: '>=', value: r.minLevel });
    for (const l of levels) {
      where.push(`l.level ${l.op === '=' ? '=' : l.op} ?`);
      args.push(l.value);
    }
    // written out for the planner: only then may it read the partial index of warn-and-above lines
    if (LogSearch.minLevel(r) >= WARN) where.push(`l.level >= ${WARN}`);
    if (r.since !== undefined) where.push(`l.ts >= ${Math.trunc(r.since)}`);
    if (r.until !== undefined) where.push(`l.ts <= ${Math.trunc(r.until)}`);
    for (const f of q.fields) {
      const segments = f.path.split('.').map((s) => `"${s}"`);
      const json = `COALESCE(l.fields -> ?, l.fields -> ?)`;
      const value = `COALESCE(l.fields ->> ?, l.fields ->> ?)`;
      const paths = [`$.${segments.join('.')}`, `$."${f.path}"`];
      if (f.op === '=' || f.op === '!=') {
        where.push(f.op === '=' ? `${json} IN (?, ?)` : `COALESCE(${json} NOT IN (?, ?), 1)`);
        args.push(...paths, f.value, JSON.stringify(f.value));
        continue;
      }
      const number = Number(f.value);
      const numeric = f.value.trim() !== '' && Number.isFinite(number);
      where.push(`(typeof(${value}) ${numeric ? "IN ('integer', 'real')" : "= 'text'"} AND ${value} ${f.op} ?)`);
      args.push(...paths, ...paths, numeric ? number : f.value);
    }
  }

  private static minLevel(r: LogSearchRequest): number {
    let min = r.minLevel ?? -1;
    for (const l of r.query.levels) {
      if (l.op === '>=' || l.op === '=') min = Math.max(min, l.value);
      if (l.op === '>') min = Math.max(min, l.value + 1);
    }
    return min;
  }

  /** Without words, the walk backwards: one service's index, the warn index, or the table itself. */
  private indexFor(r: LogSearchRequest, services: string[]): string {
    if (services.length === 1) return 'INDEXED BY log_lines_by_service';
    if (LogSearch.minLevel(r) >= WARN) return 'INDEXED BY log_lines_warn';
    return 'NOT INDEXED';
  }

  /** The first seq stamped at or after `ts` (one past the last when none): a binary search over seq. */
  private firstSeqAtOrAfter(ts: number): number {
    const bounds = this.db
      // two subqueries: min() and max() together would read the whole index, each alone reads one row
      .prepare('SELECT (SELECT min(seq) FROM log_lines) AS lo, (SELECT max(seq) FROM log_lines) AS hi')
      .get() as {
      lo: number | null;
      hi: number | null;
    };
    if (bounds.lo === null || bounds.hi === null) return 1;
    const at = this.db.prepare('SELECT seq, ts FROM log_lines WHERE seq >= ? ORDER BY seq LIMIT 1');
    let lo = bounds.lo;
    let hi = bounds.hi + 1;
    for (let guard = 0; lo < hi && guard < 128; guard++) {
      const mid = Math.floor((lo + hi) / 2);
      const row = at.get(mid) as { seq: number; ts: number } | undefined;
      if (!row || row.ts >= ts) hi = mid;
      else lo = row.seq + 1;
    }
    return lo;
  }

  private static refused(err: unknown): unknown {
    const message = (err as Error).message ?? String(err);
    if (/fts5|MATCH|malformed MATCH/i.test(message)) {
      return new DevMeshError(
        'BAD_REQUEST',
        `the log index could not run this search (${message}); search for plain words, "phrases" or word*`,
      );
    }
    return err;
  }
}

/** `user.id=42` as the phrase "user id 42" the index holds; none for a value with no token or a comparison. */
function fieldTerm(f: FieldFilter): TextTerm[] {
  if (f.op !== '=') return [];
  const value = tokenize(f.value).map((t) => t.token);
  if (value.length === 0) return [];
  const tokens = [...tokenize(f.path).map((t) => t.token), ...value];
  return [{ source: `${f.path}=${f.value}`, tokens, prefix: false, negate: false }];
}

/** A term as an FTS5 string: its folded tokens quoted (so no word is read as an operator), `*` for a prefix. */
export function ftsPhrase(t: TextTerm): string {
  return `"${t.tokens.join(' ').replace(/"/g, '""')}"${t.prefix ? '*' : ''}`;
}

/** A log_lines row (level, msg and fields read back) as the contract's line. */
export function logLineOfRow(row: LogRow): LogLine {
  const line: LogLine = {
    seq: row.seq,
    project: row.project,
    service: row.service,
    stream: row.stream,
    ts: row.ts,
    text: row.text,
    level: row.level,
  };
  if (row.msg !== null) line.msg = row.msg;
  if (row.fields !== null) {
    try {
      const fields = JSON.parse(row.fields) as unknown;
      if (fields && typeof fields === 'object' && !Array.isArray(fields))
        line.fields = fields as Record<string, unknown>;
    } catch {
      line.fields = { _unreadable: row.fields.slice(0, 200) }; // never thrown at a reader: shown as it is
    }
  }
  return line;
}
