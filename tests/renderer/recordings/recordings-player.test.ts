// The recording player against a fake clock: events written when due at 1× and 2×, idle gaps capped,
// instant writing everything at once, pause/resume, restart, resize events reaching the screen.
import { describe, expect, it } from 'vitest';
import type { Asciicast, CastEvent } from '../../../renderer/recordings/asciicast.js';
import { RecordingPlayer, type PlayerClock, type PlayerSink } from '../../../renderer/recordings/recording-player.js';

class FakeClock implements PlayerClock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  schedule(fn: () => void, ms: number): () => void {
    const id = this.seq++;
    this.timers.push({ at: this.t + ms, fn, id });
    return () => void (this.timers = this.timers.filter((x) => x.id !== id));
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing each due timer at its own time, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

class FakeSink implements PlayerSink {
  readonly log: string[] = [];
  write(data: string): void {
    this.log.push(data);
  }
  resize(cols: number, rows: number): void {
    this.log.push(`<resize ${cols}x${rows}>`);
  }
  reset(): void {
    this.log.push('<reset>');
  }
  get text(): string {
    return this.log.filter((l) => !l.startsWith('<')).join('');
  }
}

const out = (at: number, data: string): CastEvent => ({ at, kind: 'output', data });
const cast = (events: CastEvent[]): Asciicast => ({
  width: 80,
  height: 24,
  title: null,
  events,
  lengthMs: Math.round((events.at(-1)?.at ?? 0) * 1000),
});

function setup(events: CastEvent[], speed: 1 | 2 | 'instant' = 1) {
  const clock = new FakeClock();
  const sink = new FakeSink();
  const player = new RecordingPlayer({ cast: cast(events), sink, clock, speed });
  return { clock, sink, player };
}

// a, then b one second later, then c half a second after that
const ABC = [out(0, 'a'), out(1, 'b'), out(1.5, 'c')];

describe('RecordingPlayer', () => {
  it('writes each event when it is due at 1×', () => {
    const { clock, sink, player } = setup(ABC);
    expect(player.durationMs).toBe(1500);
    player.play();
    expect(sink.text).toBe('a');
    clock.advance(999);
    expect(sink.text).toBe('a');
    expect(player.position()).toBe(999);
    clock.advance(1);
    expect(sink.text).toBe('ab');
    clock.advance(499);
    expect(sink.text).toBe('ab');
    clock.advance(1);
    expect(sink.text).toBe('abc');
    expect(player.state).toBe('ended');
    expect(player.position()).toBe(1500);
    expect(clock.pending).toBe(0);
  });

  it('plays twice as fast at 2×, and a speed change keeps the position', () => {
    const { clock, sink, player } = setup(ABC, 2);
    player.play();
    clock.advance(499);
    expect(sink.text).toBe('a');
    clock.advance(1);
    expect(sink.text).toBe('ab');
    expect(player.position()).toBe(1000);
    player.setSpeed(1); // c is 500 ms of recording away: now 500 ms of wall time
    clock.advance(499);
    expect(sink.text).toBe('ab');
    clock.advance(1);
    expect(sink.text).toBe('abc');
    expect(player.state).toBe('ended');
  });

  it('writes everything at once at instant speed, as one write per run of output', () => {
    const { clock, sink, player } = setup(
      [...ABC, { at: 2, kind: 'resize', cols: 120, rows: 40 }, out(60, 'd')],
      'instant',
    );
    player.play();
    expect(sink.log).toEqual(['abc', '<resize 120x40>', 'd']);
    expect(player.state).toBe('ended');
    expect(clock.pending).toBe(0);
  });

  it('switching to instant mid-replay writes what is left', () => {
    const { clock, sink, player } = setup(ABC);
    player.play();
    clock.advance(100);
    player.setSpeed('instant');
    expect(sink.text).toBe('abc');
    expect(player.state).toBe('ended');
    expect(clock.pending).toBe(0);
  });

  it('caps long idle gaps at 2 s, like asciinema play -i 2, while its clock counts the time as recorded', () => {
    const { clock, sink, player } = setup([out(0, 'a'), out(600, 'b'), out(600.5, 'c')]);
    // one length for a recording, the list's and the player's: the last event's time as recorded
    expect(player.durationMs).toBe(600_500);
    expect(player.replayMs).toBe(2500);
    player.play();
    clock.advance(1000);
    expect(player.position()).toBe(300_000); // half-way through the shortened gap
    clock.advance(999);
    expect(sink.text).toBe('a');
    clock.advance(1);
    expect(sink.text).toBe('ab');
    expect(player.position()).toBe(600_000);
    clock.advance(250);
    expect(player.position()).toBe(600_250);
    clock.advance(250);
    expect(sink.text).toBe('abc');
    expect(player.state).toBe('ended');
    expect(player.position()).toBe(600_500);
  });

  it('counts a first event long after the start, and a pause inside a shortened gap, in recorded time', () => {
    const { clock, player } = setup([out(10, 'a'), out(11, 'b')]);
    expect(player.durationMs).toBe(11_000);
    expect(player.replayMs).toBe(3000);
    player.play();
    clock.advance(1000);
    expect(player.position()).toBe(5000);
    player.pause();
    clock.advance(5000);
    expect(player.position()).toBe(5000);
    player.play();
    clock.advance(1500);
    expect(player.position()).toBe(10_500);
  });

  it('pauses and resumes where it was', () => {
    const { clock, sink, player } = setup(ABC);
    const states: string[] = [];
    player.onDidChange(() => states.push(player.state));
    player.play();
    clock.advance(600);
    player.pause();
    expect(player.state).toBe('paused');
    expect(player.position()).toBe(600);
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(sink.text).toBe('a');
    expect(player.position()).toBe(600);
    player.play();
    clock.advance(399);
    expect(sink.text).toBe('a');
    clock.advance(1);
    expect(sink.text).toBe('ab');
    clock.advance(500);
    expect(sink.text).toBe('abc');
    expect(states).toContain('paused');
    expect(states.at(-1)).toBe('ended');
  });

  it('restarts from a cleared screen at the recorded size, and replays after the end', () => {
    const { clock, sink, player } = setup([out(0, 'a'), { at: 0.5, kind: 'resize', cols: 100, rows: 30 }, out(1, 'b')]);
    player.play();
    clock.advance(700);
    expect(sink.log).toEqual(['a', '<resize 100x30>']);
    player.restart();
    expect(player.state).toBe('playing');
    expect(sink.log.slice(2)).toEqual(['<reset>', '<resize 80x24>', 'a']);
    clock.advance(1000);
    expect(player.state).toBe('ended');
    expect(sink.log.slice(-2)).toEqual(['<resize 100x30>', 'b']);
    player.play(); // from the end: again from the start
    expect(sink.log.slice(-3)).toEqual(['<reset>', '<resize 80x24>', 'a']);
    player.pause();
    player.restart(); // paused: stays paused, at the start
    expect(player.state).toBe('paused');
    expect(player.position()).toBe(0);
  });

  it('leaves nothing scheduled once disposed', () => {
    const { clock, sink, player } = setup(ABC);
    player.play();
    player.dispose();
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    expect(sink.text).toBe('a');
  });
});
