// Durations in devmesh.yaml: `250ms`, `2s`, `1m`, `1h`, compounds like `1m30s`, or a plain number of seconds
// (YAML gives `interval: 2` as a number; people mean seconds, as in docker compose's healthcheck values).

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const COMPOUND = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const PLAIN_SECONDS = /^\d+(?:\.\d+)?$/;

/** Milliseconds for a duration value from the file, or null when it is not one (negative counts as not one). */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (PLAIN_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  if (!COMPOUND.test(text)) return null;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 1000);
  return Math.round(ms);
}

/** The shortest readable form of a duration, for messages: 1500 → `1.5s`, 90000 → `90s`, 250 → `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
