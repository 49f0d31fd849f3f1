// `devmesh rec play`: reads asciicast v2 (header, then [t, "o", data]), keeps order and pacing, caps long
// pauses, and refuses a file that is not a recording with a clear message.
import { describe, expect, it } from 'vitest';
import * as asciicastPlayer from '../../main/cli/asciicast-player.js';
import { MAX_PAUSE_S } from '../../main/cli/asciicast-player.js';

const cast = [
  JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 }),
  JSON.stringify([0.05, 'o', 'hello ']),
  JSON.stringify([0.1, 'r', '100x30']),
  JSON.stringify([0.15, 'o', 'world\r\n']),
  '',
].join('\n');

describe('asciicastPlayer', () => {
  it('plays the output events in order at the given speed, skipping other event kinds', async () => {
    const out: string[] = [];
    const started = performance.now();
    await asciicastPlayer.play(cast, 1, (t) => out.push(t));
    expect(out.join('')).toBe('hello world\r\n');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const fast: string[] = [];
    await asciicastPlayer.play(cast, Infinity, (t) => fast.push(t));
    expect(fast).toEqual(['hello ', 'world\r\n']);
  });

  it('caps a long pause so an idle stretch does not stall playback', async () => {
    const idle = [
      JSON.stringify({ version: 2, width: 80, height: 24 }),
      JSON.stringify([0, 'o', 'a']),
      JSON.stringify([3600, 'o', 'b']),
    ].join('\n');
    const started = performance.now();
    await asciicastPlayer.play(idle, 100, () => {});
    expect(performance.now() - started).toBeLessThan((MAX_PAUSE_S / 100) * 1000 + 500);
  });

  it('refuses something that is not asciicast v2', () => {
    expect(() => asciicastPlayer.events('{"version":1}\n')).toThrow(/not an asciicast v2 recording/);
    expect(() => asciicastPlayer.events('hello')).toThrow(/header line is not JSON/);
  });
});
