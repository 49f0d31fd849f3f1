// Plays an asciicast v2 recording (a header line, then `[seconds, "o", data]` events) to a writer, at a
// speed factor (Infinity: all at once). Long pauses are capped, as `asciinema play -i` does.
export const MAX_PAUSE_S = 2;

/** The output events of a cast, in order: [seconds, text]. Throws on a file that is not asciicast v2. */
export function events(cast: string): Array<[number, string]> {
  const lines = cast.split('\n').filter((l) => l.trim() !== '');
  const header = json(lines[0] ?? '', 'the header line');
  if (typeof header !== 'object' || header === null || (header as { version?: unknown }).version !== 2) {
    throw new Error('not an asciicast v2 recording: its first line is not a header with "version": 2');
  }
  const out: Array<[number, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const e = json(lines[i]!, `line ${i + 1}`);
    if (Array.isArray(e) && typeof e[0] === 'number' && e[1] === 'o' && typeof e[2] === 'string')
      out.push([e[0], e[2]]);
  }
  return out;
}

export async function play(cast: string, speed: number, write: (text: string) => void): Promise<void> {
  let last = 0;
  for (const [t, text] of events(cast)) {
    const pause = Math.min(Math.max(0, t - last), MAX_PAUSE_S) / speed;
    last = t;
    if (Number.isFinite(pause) && pause > 0.001) await new Promise((r) => setTimeout(r, pause * 1000));
    write(text);
  }
}

function json(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`not an asciicast v2 recording: ${where} is not JSON`);
  }
}
