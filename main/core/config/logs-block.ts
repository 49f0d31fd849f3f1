// The top-level `logs:` block of devmesh.yaml: how much log the project keeps, by size and by age, whichever
// cuts first. `logs: { retain_size: 500MB, retain_age: 7d }`; sizes in B, KB, MB, GB (powers of 1024),
// ages in m, h, d, w (or a compound like 1d12h).
import { z } from 'zod';

export interface LogsConfig {
  /** UTF-8 bytes of the lines the project's services printed */
  retainBytes: number;
  retainAgeMs: number;
}

export const LOGS_DEFAULTS: LogsConfig = { retainBytes: 1024 ** 3, retainAgeMs: 14 * 24 * 3_600_000 };

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const AGE_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const MIN_BYTES = 1024 ** 2;
const MAX_BYTES = 1024 ** 4;
const MIN_AGE_MS = 60_000;
const MAX_AGE_MS = 3650 * 86_400_000;

/** `500MB`, `1.5GB`, `1 GB`, `2048KB`; a bare number is bytes. Null when it is not a size. */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b)?$/i.exec(value.trim());
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase().replace('ib', 'b');
  const factor = SIZE_UNITS[unit];
  return factor === undefined ? null : Math.round(Number(m[1]) * factor);
}

/** `14d`, `36h`, `2w`, `1d12h`, `90m`. Null when it is not an age. */
export function parseAge(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (!/^(?:\d+(?:\.\d+)?[mhdw])+$/.test(text)) return null;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([mhdw])/g)) ms += Number(amount) * AGE_UNITS[unit!]!;
  return Math.round(ms);
}

/** as config-schema's describeValue (not imported: that module builds its schema from this one) */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : String(value);
}

function bounded(parse: (v: unknown) => number | null, what: string, min: number, max: number, range: string) {
  return z.unknown().transform((value, ctx) => {
    const n = parse(value);
    if (n === null) {
      ctx.issues.push({ code: 'custom', input: value, message: `expected ${what}, got ${describeValue(value)}` });
      return z.NEVER;
    }
    if (n < min || n > max) {
      ctx.issues.push({ code: 'custom', input: value, message: `expected ${range}, got ${describeValue(value)}` });
      return z.NEVER;
    }
    return n;
  });
}

export const LogsBlockSchema = z.strictObject(
  {
    retain_size: bounded(
      parseSize,
      'a size like 500MB or 1GB',
      MIN_BYTES,
      MAX_BYTES,
      'a size from 1MB to 1TB',
    ).optional(),
    retain_age: bounded(
      parseAge,
      'an age like 14d, 36h or 2w',
      MIN_AGE_MS,
      MAX_AGE_MS,
      'an age from 1m to 3650d',
    ).optional(),
  },
  { error: 'a map with retain_size and retain_age, like { retain_size: 1GB, retain_age: 14d }' },
);

export function normalizeLogs(block: z.output<typeof LogsBlockSchema> | undefined): LogsConfig {
  return {
    retainBytes: block?.retain_size ?? LOGS_DEFAULTS.retainBytes,
    retainAgeMs: block?.retain_age ?? LOGS_DEFAULTS.retainAgeMs,
  };
}
