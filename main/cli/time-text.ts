// Times and durations as the coordination commands (locks, audit, tasks, messages) show and read them:
// ages like `3m12s`, clock times in local time, and `--ttl 10m` / `--since 1h|ISO` values from the command line.
import { parseDuration } from '../core/base/duration.js';
import { UsageError } from './usage-error.js';

/** A short span for a table cell: `45s`, `3m12s`, `2h5m`, `3d4h`; never negative. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}

/** `2026-11-30 10:45:34` in local time: what a person reading a log expects. */
export function clock(ts: number): string {
  const d = new Date(ts);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `--name 10m` as milliseconds within [min, max], or undefined when the option is absent. */
export function duration(
  command: string,
  name: string,
  raw: string | undefined,
  range: { min: number; max: number },
): number | undefined {
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === null)
    throw new UsageError(`--${name} must be a duration like 30s, 10m, 1h or 1m30s, not '${raw}'`, command);
  if (ms < range.min || ms > range.max) {
    throw new UsageError(
      `--${name} ${raw} is out of range: it must be from ${span(range.min)} to ${span(range.max)}`,
      command,
    );
  }
  return ms;
}

/** `--since 1h` (that long ago) or `--since 2026-11-30T10:00` (an ISO date or time) as ms since the epoch. */
export function instant(command: string, name: string, raw: string | undefined, now: number): number | undefined {
  if (raw === undefined) return undefined;
  // A bare number is neither: `3600` would parse as the year 3600.
  if (/^\d+(\.\d+)?$/.test(raw.trim()))
    throw new UsageError(
      `--${name} ${raw}: give a unit (${raw}s, ${raw}m, ${raw}h) or an ISO time (2026-11-30T10:00)`,
      command,
    );
  const ago = parseDuration(raw);
  if (ago !== null) return Math.max(0, now - ago);
  const at = Date.parse(raw);
  if (Number.isNaN(at) || at < 0) {
    throw new UsageError(
      `--${name} must be a duration back from now (30m, 1h, 2h30m) or an ISO time (2026-11-30T10:00), not '${raw}'`,
      command,
    );
  }
  return at;
}
