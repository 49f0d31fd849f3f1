// The log search language, shared by the daemon (which turns it into SQL and FTS5), the CLI and the log
// pane (filter chips, matching live lines): free text plus filters, e.g.
//   timeout "connection reset" conn* -healthcheck level>=warn service=api user.id=42
// Words match whole tokens (case and accents ignored), "quoted phrases" tokens in a row, `word*` a prefix,
// `-term` excludes. `key op value` is a filter: level (a name or pino number), service, stream, or a field
// of a structured line (dotted path). Everything a user can get wrong is a LOG_QUERY error saying where.
import { DevMeshError } from './devmesh-error.js';

/** pino's scale: what `level>=warn` compares against; JSON lines of other loggers are mapped onto it */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;
export const LOG_LEVEL_NAMES = Object.keys(LOG_LEVELS) as LogLevelName[];
const LEVEL_ALIASES: Record<string, number> = {
  ...LOG_LEVELS,
  warning: 40,
  err: 50,
  critical: 60,
  panic: 60,
  dpanic: 60,
  notice: 30,
  verbose: 20,
};

export const MAX_QUERY_CHARS = 4096;
export const MAX_QUERY_TERMS = 32;

export type CompareOp = '=' | '!=' | '>=' | '<=' | '>' | '<';

export interface TextTerm {
  /** as written (without the - and quotes), for chips and messages */
  source: string;
  /** the tokens it matches, folded (lower case, no accents); more than one: a phrase */
  tokens: string[];
  /** the last token is a prefix (`conn*`) */
  prefix: boolean;
  /** `-term`: lines holding it are left out */
  negate: boolean;
}

export interface FieldFilter {
  /** dotted path into a structured line's fields: user.id */
  path: string;
  op: CompareOp;
  value: string;
}

export interface LogQuery {
  terms: TextTerm[];
  /** every condition must hold: level>=40 AND level<60 */
  levels: { op: CompareOp; value: number }[];
  services: { include: string[]; exclude: string[] };
  streams: { include: string[]; exclude: string[] };
  fields: FieldFilter[];
}

const FILTER = /^([A-Za-z_@][\w.@-]{0,127})(>=|<=|!=|=|>|<)/;
const WHITESPACE = /\s/;

/** Token characters as SQLite FTS5's unicode61 tokenizer sees them: letters, digits, private use. */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

/** Folds a token as unicode61 does by default: lower case, Latin diacritics removed (é → e). */
export function foldToken(token: string): string {
  const lower = token.toLowerCase();
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(lower)
    ? lower
    : lower
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .normalize('NFC');
}

/** The folded tokens of a text, with where each starts and ends in it (for highlighting). */
export function tokenize(text: string): { token: string; start: number; end: number }[] {
  const out: { token: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(TOKEN))
    out.push({ token: foldToken(m[0]), start: m.index, end: m.index + m[0].length });
  return out;
}

export function levelValue(raw: string): number | null {
  const text = raw.trim().toLowerCase();
  if (/^\d{1,3}$/.test(text)) return Number(text);
  return LEVEL_ALIASES[text] ?? null;
}

export function levelName(level: number | null | undefined): LogLevelName | null {
  if (level === null || level === undefined) return null;
  let name: LogLevelName | null = null;
  for (const n of LOG_LEVEL_NAMES) if (level >= LOG_LEVELS[n]) name = n;
  return name ?? 'trace';
}

export function emptyQuery(): LogQuery {
  return {
    terms: [],
    levels: [],
    services: { include: [], exclude: [] },
    streams: { include: [], exclude: [] },
    fields: [],
  };
}

export function isEmptyQuery(q: LogQuery): boolean {
  return (
    q.terms.length === 0 &&
    q.levels.length === 0 &&
    q.fields.length === 0 &&
    q.services.include.length + q.services.exclude.length + q.streams.include.length + q.streams.exclude.length === 0
  );
}

function fail(message: string): never {
  throw new DevMeshError('BAD_REQUEST', `the log search ${message}`);
}

/** Parses a search; throws a BAD_REQUEST DevMeshError naming the column and the fix on a mistake. */
export function parseLogQuery(input: string): LogQuery {
  if (input.length > MAX_QUERY_CHARS) {
    fail(`is ${input.length} characters long; the limit is ${MAX_QUERY_CHARS}: search for fewer words`);
  }
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(input);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    fail(`has a control character (U+${code}) at column ${control.index + 1}: remove it`);
  }
  const q = emptyQuery();
  let i = 0;
  let count = 0;
  while (i < input.length) {
    if (WHITESPACE.test(input[i]!)) {
      i++;
      continue;
    }
    if (++count > MAX_QUERY_TERMS) fail(`has more than ${MAX_QUERY_TERMS} terms: search for fewer words`);
    const column = i + 1;
    const negate = input[i] === '-' && i + 1 < input.length && !WHITESPACE.test(input[i + 1]!);
    if (negate) i++;
    const filter = negate ? null : FILTER.exec(input.slice(i));
    if (filter) {
      i += filter[0].length;
      const read = readValue(input, i, column);
      i = read.end;
      addFilter(q, filter[1]!, filter[2] as CompareOp, read.value, column);
      continue;
    }
    const read = readValue(input, i, column);
    i = read.end;
    q.terms.push(textTerm(read.value, read.quoted, negate, column));
  }
  return q;
}

/** A bare run of non-space characters, or a "quoted" one ("" inside quotes is a quote), and a trailing `*`. */
function readValue(input: string, start: number, column: number): { value: string; quoted: boolean; end: number } {
  if (input[start] === '"') {
    let value = '';
    let i = start + 1;
    for (;;) {
      if (i >= input.length) fail(`has a quote at column ${start + 1} that is never closed: add a closing "`);
      if (input[i] === '"') {
        if (input[i + 1] === '"') {
          value += '"';
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += input[i];
      i++;
    }
    if (input[i] === '*') {
      value += '*';
      i++;
    }
    if (i < input.length && !WHITESPACE.test(input[i]!)) {
      fail(`has text right after the closing quote at column ${i + 1}: put a space between them`);
    }
    return { value, quoted: true, end: i };
  }
  let i = start;
  while (i < input.length && !WHITESPACE.test(input[i]!)) i++;
  const value = input.slice(start, i);
  if (value.includes('"')) fail(`has a quote inside a word at column ${column}: quote the whole phrase ("like this")`);
  return { value, quoted: false, end: i };
}

function textTerm(raw: string, quoted: boolean, negate: boolean, column: number): TextTerm {
  const prefix = raw.endsWith('*');
  const body = prefix ? raw.slice(0, -1) : raw;
  if (prefix && /\*/.test(body)) fail(`has a * inside "${raw}" at column ${column}: only a word's end may be *`);
  const tokens = tokenize(body).map((t) => t.token);
  if (tokens.length === 0) {
    const what = raw === '' ? 'an empty phrase ""' : `"${negate ? '-' : ''}${raw}"`;
    fail(
      `has ${what} at column ${column} with no letters or digits; the search matches words and ignores ` +
        'punctuation: search for a word',
    );
  }
  return { source: quoted ? `"${raw}"` : raw, tokens, prefix, negate };
}

function addFilter(q: LogQuery, key: string, op: CompareOp, value: string, column: number): void {
  if (value === '') fail(`has "${key}${op}" at column ${column} with no value: write ${key}${op}something`);
  const lower = key.toLowerCase();
  if (lower === 'level') {
    const level = levelValue(value);
    if (level === null) {
      fail(`has an unknown level "${value}" at column ${column}: use ${LOG_LEVEL_NAMES.join(', ')} or a number`);
    }
    q.levels.push({ op, value: level });
    return;
  }
  if (lower === 'service' || lower === 'stream') {
    if (op !== '=' && op !== '!=')
      fail(`compares ${lower} with ${op} at column ${column}: use ${lower}= or ${lower}!=`);
    const target = lower === 'service' ? q.services : q.streams;
    for (const v of value.split(',').filter(Boolean)) (op === '=' ? target.include : target.exclude).push(v);
    return;
  }
  if (key.startsWith('.') || key.endsWith('.') || key.includes('..')) {
    fail(`has the field "${key}" at column ${column}: a field path is names joined by dots, like user.id`);
  }
  q.fields.push({ path: key, op, value });
}

/** The query written back as text (filter chips remove one part and call this). */
export function formatLogQuery(q: LogQuery): string {
  const parts: string[] = [];
  const quote = (v: string) => (/[\s"]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v);
  for (const t of q.terms) parts.push(`${t.negate ? '-' : ''}${t.source}`);
  for (const l of q.levels) parts.push(`level${l.op}${levelName(l.value) === null ? l.value : levelLabel(l.value)}`);
  for (const s of q.services.include) parts.push(`service=${s}`);
  for (const s of q.services.exclude) parts.push(`service!=${s}`);
  for (const s of q.streams.include) parts.push(`stream=${s}`);
  for (const s of q.streams.exclude) parts.push(`stream!=${s}`);
  for (const f of q.fields) parts.push(`${f.path}${f.op}${quote(f.value)}`);
  return parts.join(' ');
}

function levelLabel(value: number): string {
  const exact = LOG_LEVEL_NAMES.find((n) => LOG_LEVELS[n] === value);
  return exact ?? String(value);
}
