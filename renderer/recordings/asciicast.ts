// The renderer's reader of asciicast v2 (the asciinema format the daemon records to): a JSON header line
// `{"version": 2, "width", "height", ...}`, then one `[seconds, code, data]` line per event. Only output ("o")
// and resize ("r", "COLSxROWS") change a screen; input, markers and unknown codes are skipped, as asciinema's
// player does. Pure: the player and its tests use it without a DOM. (main/cli has its own; the renderer
// may not import main/.)
import { DevMeshError } from '../../shared/errors.js';

export type CastEvent =
  { at: number; kind: 'output'; data: string } | { at: number; kind: 'resize'; cols: number; rows: number };

export interface Asciicast {
  width: number;
  height: number;
  title: string | null;
  /** in file order, `at` in seconds from the start as recorded (not yet idle-capped) */
  events: CastEvent[];
  /**
   * The recording's length, the one the Recordings list shows (RecordingInfo.durationMs) and the player
   * counts to: the time of its last complete event line, whatever its code, as recorded (idle not capped).
   */
  lengthMs: number;
}

/** seconds of an event line → the length in ms, rounded as the daemon rounds RecordingInfo.durationMs */
export const lengthMsOf = (lastEventSeconds: number): number => Math.round(lastEventSeconds * 1000);

const NOT_CAST = 'not an asciicast v2 recording';
const RESIZE_RE = /^(\d{1,4})x(\d{1,4})$/;

/** Parses a .cast file's text; throws a DevMeshError (BAD_REQUEST) that says which line is wrong. */
export function parseAsciicast(text: string): Asciicast {
  const lines = text.split('\n');
  // A recording still being written may end in a partial line: the last line counts only when it is whole.
  const complete = text.endsWith('\n');
  const header = readJson(lines[0] ?? '', 'its first line (the header)');
  if (!isRecord(header) || header['version'] !== 2) {
    throw new DevMeshError('BAD_REQUEST', `${NOT_CAST}: its first line is not a header with "version": 2`);
  }
  const width = header['width'];
  const height = header['height'];
  if (!isSize(width) || !isSize(height)) {
    throw new DevMeshError('BAD_REQUEST', `${NOT_CAST}: its header has no positive integer "width" and "height"`);
  }
  const events: CastEvent[] = [];
  let lastAt = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (i === lines.length - 1 && !complete) break;
    const e = readJson(line, `line ${i + 1}`);
    if (
      !Array.isArray(e) ||
      typeof e[0] !== 'number' ||
      !Number.isFinite(e[0]) ||
      typeof e[1] !== 'string' ||
      typeof e[2] !== 'string'
    ) {
      throw new DevMeshError('BAD_REQUEST', `${NOT_CAST}: line ${i + 1} is not an event [seconds, code, data]`);
    }
    const at = Math.max(0, e[0]);
    lastAt = at;
    if (e[1] === 'o') events.push({ at, kind: 'output', data: e[2] });
    else if (e[1] === 'r') {
      const m = RESIZE_RE.exec(e[2]);
      if (m) events.push({ at, kind: 'resize', cols: Number(m[1]), rows: Number(m[2]) });
    }
  }
  const title = typeof header['title'] === 'string' ? header['title'] : null;
  return { width, height, title, events, lengthMs: lengthMsOf(lastAt) };
}

function readJson(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `${NOT_CAST}: ${where} is not JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 10_000;
}
