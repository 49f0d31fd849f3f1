// What an agent is doing, read from its terminal output alone (pure: fed chunks and clock readings, no
// timers of its own):
//   starting  nothing visible printed yet
//   working   visible output is flowing
//   waiting   one of the CLI's waiting-for-the-user prompts (a permission question, a y/n) sits at the end
//             of the output: a prompt counts while at most `trailChars` visible characters follow it, so an
//             answered prompt scrolls out of consideration as soon as the agent prints on
//   idle      no visible output for `quietMs` after some: the fallback for a prompt no pattern knows (an
//             agent TUI goes quiet when its turn is over and it waits for the next message)
//   exited    the process ended (final)
// Output is ANSI-stripped into a bounded tail first; cursor positioning becomes a line break, so a TUI that
// paints its screen with cursor moves still reads as lines.
import type { AgentStatus } from '../../../shared/agent.js';

export interface AgentStatusChange {
  from: AgentStatus;
  to: AgentStatus;
  reason: string | null;
  ts: number;
}

export interface AgentStatusDetectorDeps {
  /** regex sources, matched case-insensitively and per line (`^`/`$` are line edges) */
  waitingPatterns: readonly string[];
  /** quiet time after output that means idle (default 5 s) */
  quietMs?: number;
  /** visible characters allowed after a prompt for it to still count as waiting (default 400) */
  trailChars?: number;
  /** how much stripped output is kept (default 8 KB) */
  tailChars?: number;
}

/* eslint-disable no-control-regex */
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const CURSOR_MOVE = /\x1b\[[0-9;]*[HfABEFd]/g;
const CSI = /\x1b\[[0-9;?<>=!]*[ -/]*[@-~]/g;
const OTHER_ESC = /\x1b(?:[()*+][0-9A-Za-z]|[=>78DEHMc])/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
/** an escape sequence cut at the end of a chunk: held back until the next chunk completes it */
const INCOMPLETE_ESC = /\x1b(?:\[[0-9;?<>=!]*[ -/]*|\][^\x07\x1b]*\x1b?|[()*+])?$/;
/* eslint-enable no-control-regex */
/** whitespace and box-drawing characters do not count as visible text (TUI frames redraw constantly) */
const INVISIBLE = /[\s\u2500-\u257f\u2580-\u259f]/g;

export class AgentStatusDetector {
  private current: AgentStatus = 'starting';
  private reason: string | null = null;
  private tail = '';
  private pending = '';
  private lastVisibleAt: number | null = null;
  private inputAt: number | null = null;
  private readonly patterns: RegExp[];
  private readonly quietMs: number;
  private readonly trailChars: number;
  private readonly tailChars: number;

  constructor(
    deps: AgentStatusDetectorDeps,
    private readonly onDidChangeStatus: (change: AgentStatusChange) => void = () => {},
  ) {
    this.patterns = deps.waitingPatterns.map((p) => new RegExp(p, 'gim'));
    this.quietMs = deps.quietMs ?? 5000;
    this.trailChars = deps.trailChars ?? 400;
    this.tailChars = deps.tailChars ?? 8192;
  }

  get status(): AgentStatus {
    return this.current;
  }

  get statusReason(): string | null {
    return this.reason;
  }

  /** When input was last written to the terminal (noteInput); null: never. */
  get lastInputAt(): number | null {
    return this.inputAt;
  }

  /** The ANSI-stripped end of the output (what patterns are matched against). */
  get text(): string {
    return this.tail;
  }

  feed(chunk: string, now: number): void {
    if (this.current === 'exited') return;
    let raw = this.pending + chunk;
    const cut = INCOMPLETE_ESC.exec(raw);
    this.pending = cut && cut[0].length < 256 ? cut[0] : '';
    if (this.pending) raw = raw.slice(0, raw.length - this.pending.length);
    const text = AgentStatusDetector.strip(raw);
    if (!text) return;
    this.tail = (this.tail + text).slice(-this.tailChars);
    const visible = text.replace(INVISIBLE, '').length > 0;
    if (visible) this.lastVisibleAt = now;
    const prompt = this.waitingPrompt();
    if (prompt !== null) this.set('waiting', `prompt: ${prompt}`, now);
    else if (visible) this.set('working', 'output flowing', now);
  }

  /** Advances the clock: turns quiet-after-output into idle. */
  tick(now: number): void {
    if (this.current !== 'working' || this.lastVisibleAt === null) return;
    const quiet = now - this.lastVisibleAt;
    if (quiet >= this.quietMs) this.set('idle', `no output for ${Math.round(quiet / 1000)} s`, now);
  }

  /**
   * Input was written to the terminal (the initial prompt, or the user answering): whatever prompt is on
   * screen is answered, so it must not keep the agent "waiting" until enough new output pushes it away.
   */
  noteInput(now: number): void {
    if (this.current === 'exited') return;
    this.inputAt = now;
    this.tail = '';
    if (this.current === 'waiting') this.set('working', 'answered', now);
  }

  exit(code: number | null, now: number, signal: string | null = null): void {
    if (this.current === 'exited') return;
    const reason = code !== null ? `exited with code ${code}` : signal ? `ended by ${signal}` : 'ended';
    this.set('exited', reason, now);
  }

  private waitingPrompt(): string | null {
    const window = this.tail.slice(-4096);
    // of the prompts still at the end, the one that starts first names it best (the question, not its options)
    let best: { start: number; text: string } | null = null;
    for (const re of this.patterns) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      let last: RegExpExecArray | null = null;
      while ((m = re.exec(window)) !== null) {
        last = m;
        if (m[0].length === 0) re.lastIndex++;
      }
      if (!last) continue;
      const end = last.index + last[0].length;
      const after = window.slice(end).replace(INVISIBLE, '').length;
      if (after <= this.trailChars && (!best || last.index < best.start))
        best = { start: last.index, text: last[0].trim().slice(0, 80) || re.source };
    }
    return best ? best.text : null;
  }

  private set(to: AgentStatus, reason: string | null, ts: number): void {
    if (to === this.current && reason === this.reason) return;
    const from = this.current;
    this.current = to;
    this.reason = reason;
    // a change of reason alone (waiting on another prompt) is news; working→working with a new reason is not
    if (from === to && to !== 'waiting') return;
    this.onDidChangeStatus({ from, to, reason, ts });
  }

  static strip(raw: string): string {
    return raw
      .replace(OSC, '')
      .replace(CURSOR_MOVE, '\n')
      .replace(CSI, '')
      .replace(OTHER_ESC, '')
      .replace(/\r\n?/g, '\n')
      .replace(CONTROL, '');
  }
}
