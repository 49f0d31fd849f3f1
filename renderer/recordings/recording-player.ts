// Plays a parsed asciicast to a sink (the player's xterm screen) at the recorded pace, twice as fast, or all
// at once. Long idle gaps are capped (like `asciinema play -i 2`), so a session left open over lunch replays
// in seconds; the player's clock still counts the time as recorded (running fast through a shortened gap),
// so its total is the recording's one length, the Recordings list's. Pure: time comes from an injected
// clock, so tests drive it with a fake one; one timer at most is pending, for the next event, and
// dispose() cancels it.
import type { Asciicast, CastEvent } from './asciicast.js';

export interface PlayerSink {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** clears the screen for a replay from the start */
  reset(): void;
}

export interface PlayerClock {
  /** milliseconds, monotonic */
  now(): number;
  /** calls `fn` after `ms`; returns the cancel function */
  schedule(fn: () => void, ms: number): () => void;
}

export type PlayerState = 'paused' | 'playing' | 'ended';
export type PlaybackSpeed = 1 | 2 | 'instant';

export interface RecordingPlayerDeps {
  cast: Asciicast;
  sink: PlayerSink;
  clock: PlayerClock;
  /** longest pause replayed between two events, in ms (asciinema's -i); default 2000 */
  idleLimitMs?: number;
  speed?: PlaybackSpeed;
}

export const IDLE_LIMIT_MS = 2000;

export const browserClock: PlayerClock = {
  now: () => performance.now(),
  schedule: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

export class RecordingPlayer {
  /** the recording's length, as the Recordings list shows it: its last event's time as recorded (ms) */
  readonly durationMs: number;
  /** how long the replay takes at 1×, idle gaps capped */
  readonly replayMs: number;
  private readonly events: readonly CastEvent[];
  /** when each event plays, in ms from the start, idle gaps capped */
  private readonly times: number[];
  /** when each event happened, in ms from the start as recorded (never decreasing) */
  private readonly recorded: number[];
  private readonly sink: PlayerSink;
  private readonly clock: PlayerClock;
  private readonly cast: Asciicast;
  private next = 0;
  private current: PlayerState = 'paused';
  private rate: PlaybackSpeed;
  /** position (ms) at `anchor` (clock ms); while playing the position runs on from there */
  private base = 0;
  private anchor = 0;
  private cancel: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(deps: RecordingPlayerDeps) {
    this.cast = deps.cast;
    this.events = deps.cast.events;
    this.sink = deps.sink;
    this.clock = deps.clock;
    this.rate = deps.speed ?? 1;
    const limit = deps.idleLimitMs ?? IDLE_LIMIT_MS;
    let last = 0;
    let at = 0;
    this.times = [];
    this.recorded = [];
    for (const e of this.events) {
      at += Math.min(Math.max(0, e.at * 1000 - last), limit);
      last = Math.max(last, e.at * 1000);
      this.times.push(at);
      this.recorded.push(last);
    }
    this.replayMs = this.times.at(-1) ?? 0;
    this.durationMs = Math.max(deps.cast.lengthMs, Math.round(last));
  }

  get state(): PlayerState {
    return this.current;
  }

  get speed(): PlaybackSpeed {
    return this.rate;
  }

  /** how far the replay is, in ms of the recording as recorded (out of durationMs) */
  position(): number {
    if (this.current === 'ended') return this.durationMs;
    return this.toRecorded(this.replayPosition());
  }

  play(): void {
    if (this.current === 'playing') return;
    if (this.current === 'ended') this.rewind();
    this.anchor = this.clock.now();
    this.current = 'playing';
    this.tick();
  }

  pause(): void {
    if (this.current !== 'playing') return;
    this.base = this.replayPosition();
    this.stopTimer();
    this.current = 'paused';
    this.changed();
  }

  /** Back to the start: the screen is cleared; a replay that was running (or had ended) plays on from there. */
  restart(): void {
    const resume = this.current !== 'paused';
    this.stopTimer();
    this.rewind();
    this.current = 'paused';
    if (resume) this.play();
    else this.changed();
  }

  /** Instant writes whatever is left at once; 1× and 2× go on from the current position. */
  setSpeed(speed: PlaybackSpeed): void {
    if (speed === this.rate) return;
    if (this.current === 'playing') {
      this.base = this.replayPosition();
      this.anchor = this.clock.now();
    }
    this.rate = speed;
    this.stopTimer();
    if (speed === 'instant' && this.current !== 'ended') this.current = 'playing';
    if (this.current === 'playing') this.tick();
    else this.changed();
  }

  /** Called when the state, the speed or the screen changes (not on every frame); returns the unsubscribe function. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  dispose(): void {
    this.stopTimer();
    this.listeners.clear();
  }

  /** how far the replay is, in ms of the idle-capped replay */
  private replayPosition(): number {
    if (this.current === 'ended') return this.replayMs;
    if (this.current === 'paused') return this.base;
    return Math.min(this.replayMs, this.base + (this.clock.now() - this.anchor) * this.factor());
  }

  /** A replay position as recorded time: linear between the events around it, so a gap shortened from
   *  60 s to 2 s counts its 60 s over those 2 s. */
  private toRecorded(replay: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= replay) lo = mid + 1;
      else hi = mid;
    }
    const k = lo - 1; // the last event at or before `replay`; -1: before the first
    const fromT = k >= 0 ? this.times[k]! : 0;
    const fromR = k >= 0 ? this.recorded[k]! : 0;
    if (k + 1 >= this.times.length) return Math.min(this.durationMs, fromR + (replay - fromT));
    const toT = this.times[k + 1]!;
    const toR = this.recorded[k + 1]!;
    return toT === fromT ? fromR : fromR + ((replay - fromT) * (toR - fromR)) / (toT - fromT);
  }

  private factor(): number {
    return this.rate === 'instant' ? Infinity : this.rate;
  }

  private rewind(): void {
    this.next = 0;
    this.base = 0;
    this.sink.reset();
    this.sink.resize(this.cast.width, this.cast.height);
  }

  /** Writes every event that is due (all of them at instant speed), then waits for the next one. */
  private tick(): void {
    this.cancel = null;
    const pos = this.rate === 'instant' ? Infinity : this.replayPosition();
    let pending = '';
    while (this.next < this.events.length && this.times[this.next]! <= pos) {
      const e = this.events[this.next++]!;
      if (e.kind === 'output') {
        pending += e.data; // one xterm write per run of output: instant replays of long casts stay cheap
        continue;
      }
      if (pending) this.sink.write(pending);
      pending = '';
      this.sink.resize(e.cols, e.rows);
    }
    if (pending) this.sink.write(pending);
    if (this.next >= this.events.length) {
      this.current = 'ended';
      this.base = this.replayMs;
    } else {
      const wait = (this.times[this.next]! - this.replayPosition()) / this.factor();
      this.cancel = this.clock.schedule(() => this.tick(), Math.max(0, wait));
    }
    this.changed();
  }

  private stopTimer(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
