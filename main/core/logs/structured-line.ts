// Reads a printed line for its level, message and fields. A JSON object line in the shape of pino, bunyan,
// zap, structlog, winston or a JSON formatter of Python's logging gives all three; any other line keeps its
// text, with a level from a level word near its start (`ERROR`, `[warn]`, `level=info`) or its stream
// (stderr: warn), or none.
import { LOG_LEVELS, levelValue } from '../../../shared/log-query.js';
import type { LogLine } from '../../../shared/service.js';

export interface ParsedLine {
  level: number | null;
  /** set for a structured line only */
  msg?: string;
  fields?: Record<string, unknown>;
}

const LEVEL_KEYS = ['level', 'lvl', 'severity', 'levelname', 'log.level', 'loglevel'];
const MESSAGE_KEYS = ['msg', 'message', 'event'];
/** timestamps and versions: the daemon stamps every line itself; leaving them out keeps fields to the point */
const DROPPED_KEYS = new Set(['time', 'timestamp', 'ts', '@timestamp', 'v', '@version']);
const MAX_JSON_CHARS = 16 * 1024;

// an upper-case level word among the first words, `[warn]` / `<error>` in any case, or logfmt's level=
const LEVEL_WORD =
  /(?:^|[\s[(<|:])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|PANIC)(?=$|[\s\])>|:!])/;
const BRACKETED = /[[(<](trace|debug|info|notice|warn|warning|error|err|fatal|critical|panic)[\])>]/i;
const LOGFMT = /(?:^|\s)(?:level|lvl|severity)=["']?([A-Za-z]+|\d{1,2})\b/i;
const HEAD_CHARS = 64;

export function parseLine(text: string, stream: LogLine['stream']): ParsedLine {
  if (text.length > 1 && text.length <= MAX_JSON_CHARS && text.charCodeAt(0) === 123 /* { */) {
    const structured = parseJson(text);
    if (structured) return structured;
  }
  return { level: guessLevel(text, stream) };
}

function parseJson(text: string): ParsedLine | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // not JSON after all: a plain line that starts with {
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const levelKey = LEVEL_KEYS.find((k) => k in record);
  const msgKey = MESSAGE_KEYS.find((k) => typeof record[k] === 'string');
  if (levelKey === undefined && msgKey === undefined) return null;
  let level: number | null = null;
  if (levelKey !== undefined) level = jsonLevel(record[levelKey]);
  const fields: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(record)) {
    if (k === levelKey || k === msgKey || DROPPED_KEYS.has(k)) continue;
    fields[k] = v;
    any = true;
  }
  return { level, msg: msgKey !== undefined ? (record[msgKey] as string) : '', ...(any ? { fields } : {}) };
}

/** pino/bunyan numbers stay; names (zap, structlog, Python's WARNING) map onto pino's scale. */
function jsonLevel(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 100 ? value : null;
  if (typeof value === 'string') return levelValue(value);
  return null;
}

function guessLevel(text: string, stream: LogLine['stream']): number | null {
  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  const word = LEVEL_WORD.exec(head) ?? BRACKETED.exec(head) ?? LOGFMT.exec(head);
  if (word) {
    const level = levelValue(word[1]!);
    if (level !== null) return level;
  }
  if (stream === 'stderr') return LOG_LEVELS.warn;
  if (stream === 'system') return LOG_LEVELS.info;
  return null;
}
