// One log line as the CLI prints it: `HH:MM:SS.mmm svc | text`. Lines the service wrote to stderr are
// marked with `!` instead of `|`, DevMesh's own lines (started, crashed, ...) with `*`.
import type { LogLine } from '../../shared/service.js';

const MARKS: Record<LogLine['stream'], string> = { stdout: '|', stderr: '!', system: '*' };
const RED = '\u001b[31m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

export class LogFormatter {
  /** `nameWidth` pads service names when lines of several services interleave */
  constructor(private readonly deps: { color: boolean; nameWidth?: number } = { color: false }) {}

  format(line: LogLine): string {
    const name = line.service.padEnd(this.deps.nameWidth ?? 0);
    const text = `${LogFormatter.clock(line.ts)} ${name} ${MARKS[line.stream]} ${LogFormatter.printable(line.text)}`;
    if (!this.deps.color) return text;
    if (line.stream === 'stderr') return `${RED}${text}${RESET}`;
    if (line.stream === 'system') return `${DIM}${text}${RESET}`;
    return text;
  }

  static clock(ts: number): string {
    const d = new Date(ts);
    const p = (n: number, w = 2): string => String(n).padStart(w, '0');
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  }

  // A service's output may carry terminal escapes; printed raw they could rewrite the user's screen.
  // CSI sequences (colors, cursor moves) are dropped, other control characters shown as U+FFFD.
  private static printable(text: string): string {
    // eslint-disable-next-line no-control-regex -- strips escape sequences and control characters on purpose
    return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\uFFFD');
  }
}
