// How a log line is shown and matched, the same on every face: a structured line reads as its message and
// its fields (`key=value`), a plain line as printed. The daemon indexes exactly this text (FTS5), the pane
// highlights matches in it, and live lines are matched against a search here with the index's rules.
import type { LogLine } from './service.js';
import { tokenize, type CompareOp, type FieldFilter, type LogQuery, type TextTerm } from './log-query.js';

/** fields beyond this many characters are cut from the shown (and indexed) text; the JSON keeps them all */
export const MAX_FIELDS_TEXT = 2048;

type Shown = Pick<LogLine, 'text' | 'msg' | 'fields'>;

/** What the line reads as: `message key=value …` for a structured line, the text for a plain one. */
export function displayText(line: Shown): string {
  if (line.msg === undefined) return line.text;
  const fields = line.fields ? flattenFields(line.fields) : '';
  return fields ? (line.msg ? `${line.msg}  ${fields}` : fields) : line.msg;
}

/** `user.id=42 path=/api err.message="no route"`, depth first, cut at MAX_FIELDS_TEXT. */
export function flattenFields(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  let size = 0;
  const walk = (prefix: string, value: unknown, depth: number): boolean => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 4) {
      for (const [k, v] of Object.entries(value)) if (!walk(prefix ? `${prefix}.${k}` : k, v, depth + 1)) return false;
      return true;
    }
    let shown = typeof value === 'string' ? value : JSON.stringify(value);
    if (typeof value === 'string' && (/\s/.test(value) || value === '')) shown = JSON.stringify(value);
    const part = `${prefix}=${shown}`;
    size += part.length + 1;
    if (size > MAX_FIELDS_TEXT) return false;
    parts.push(part);
    return true;
  };
  walk('', fields, 0);
  return parts.join(' ');
}

/** Where a text matches a search's words, phrases and prefixes: sorted, merged [start, end) ranges. */
export function matchRanges(text: string, terms: readonly TextTerm[]): [number, number][] {
  const wanted = terms.filter((t) => !t.negate);
  if (wanted.length === 0 || text.length === 0) return [];
  const tokens = tokenize(text);
  const ranges: [number, number][] = [];
  for (const term of wanted) {
    for (const at of occurrences(tokens, term))
      ranges.push([tokens[at]!.start, tokens[at + term.tokens.length - 1]!.end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function occurrences(tokens: readonly { token: string }[], term: TextTerm): number[] {
  const n = term.tokens.length;
  const out: number[] = [];
  for (let i = 0; i + n <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const have = tokens[i + k]!.token;
      const want = term.tokens[k]!;
      ok = k === n - 1 && term.prefix ? have.startsWith(want) : have === want;
    }
    if (ok) out.push(i);
  }
  return out;
}

/** Does a line satisfy the search? (Live lines: the daemon answers stored ones with the same rules.) */
export function lineMatches(line: LogLine, q: LogQuery): boolean {
  if (q.services.include.length > 0 && !q.services.include.includes(line.service)) return false;
  if (q.services.exclude.includes(line.service)) return false;
  if (q.streams.include.length > 0 && !q.streams.include.includes(line.stream)) return false;
  if (q.streams.exclude.includes(line.stream)) return false;
  for (const l of q.levels) {
    if (line.level === null || line.level === undefined || !compare(line.level, l.op, l.value)) return false;
  }
  for (const f of q.fields) if (!fieldMatches(line.fields, f)) return false;
  if (q.terms.length === 0) return true;
  const tokens = tokenize(displayText(line));
  return q.terms.every((t) => occurrences(tokens, t).length > 0 !== t.negate);
}

/** The value at a dotted path: nested objects first, then a flat key holding dots (zap's `user.id`). */
export function fieldAt(fields: Record<string, unknown> | undefined, path: string): unknown {
  if (!fields) return undefined;
  let value: unknown = fields;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      value = undefined;
      break;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined ? value : fields[path];
}

/** As the daemon's SQL: `=` matches the JSON of the value or the string; `!=` keeps lines without the field. */
export function fieldMatches(fields: Record<string, unknown> | undefined, f: FieldFilter): boolean {
  const value = fieldAt(fields, f.path);
  if (f.op === '=' || f.op === '!=') {
    const json = value === undefined ? undefined : JSON.stringify(value);
    const equal = json !== undefined && (json === f.value || json === JSON.stringify(f.value));
    return f.op === '=' ? equal : !equal;
  }
  if (value === undefined || value === null || typeof value === 'object') return false;
  const number = Number(f.value);
  // a number against a number; text against text (a number in a string is text, as in SQLite)
  if (f.value.trim() !== '' && Number.isFinite(number))
    return typeof value === 'number' && compare(value, f.op, number);
  return typeof value === 'string' && compare(value, f.op, f.value);
}

function compare<T extends number | string>(a: T, op: CompareOp, b: T): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
  }
}
