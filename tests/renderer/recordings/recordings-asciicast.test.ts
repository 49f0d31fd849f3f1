// The renderer's asciicast v2 reader: output and resize events, what it skips, and the errors it gives for
// files that are not asciicast v2.
import { describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import { parseAsciicast } from '../../../renderer/recordings/asciicast.js';
import { castFileName } from '../../../renderer/recordings/download-cast.js';

const header = JSON.stringify({
  version: 2,
  width: 100,
  height: 30,
  timestamp: 1,
  title: 'sh',
  env: { TERM: 'xterm-256color' },
});

describe('parseAsciicast', () => {
  it('reads the header and the output events in order', () => {
    const cast = `${header}\n[0.25, "o", "replay me\\r\\n"]\n[1.5, "o", "$ "]\n`;
    const parsed = parseAsciicast(cast);
    expect(parsed).toEqual({
      width: 100,
      height: 30,
      title: 'sh',
      events: [
        { at: 0.25, kind: 'output', data: 'replay me\r\n' },
        { at: 1.5, kind: 'output', data: '$ ' },
      ],
      lengthMs: 1500,
    });
  });

  it('measures the length as the daemon lists it: the time of the last event line, whatever its code', () => {
    const cast = [header, '[0.1, "o", "a"]', '[61.0004, "o", "b"]', '[75.2496, "i", "exit\\r"]', ''].join('\n');
    const parsed = parseAsciicast(cast);
    expect(parsed.events.at(-1)?.at).toBe(61.0004);
    expect(parsed.lengthMs).toBe(75250);
    expect(parseAsciicast(`${header}\n`).lengthMs).toBe(0);
  });

  it('reads resize events as columns and rows, and skips input, markers and unknown codes', () => {
    const cast = [
      header,
      '[0.1, "o", "a"]',
      '[0.2, "r", "120x40"]',
      '[0.3, "i", "ls\\r"]',
      '[0.4, "m", "chapter"]',
      '[0.5, "x", "?"]',
      '[0.6, "r", "bogus"]',
      '[0.7, "o", "b"]',
      '',
    ].join('\n');
    expect(parseAsciicast(cast).events).toEqual([
      { at: 0.1, kind: 'output', data: 'a' },
      { at: 0.2, kind: 'resize', cols: 120, rows: 40 },
      { at: 0.7, kind: 'output', data: 'b' },
    ]);
  });

  it('ignores a partial last line of a recording still being written, and blank lines', () => {
    const cast = `${header}\n\n[0.1, "o", "whole"]\n[0.2, "o", "hal`;
    expect(parseAsciicast(cast).events).toEqual([{ at: 0.1, kind: 'output', data: 'whole' }]);
  });

  it('refuses a file that is not asciicast v2, saying so and where', () => {
    const fail = (text: string) => {
      try {
        parseAsciicast(text);
      } catch (err) {
        expect(err).toBeInstanceOf(DevMeshError);
        expect((err as DevMeshError).code).toBe('BAD_REQUEST');
        return (err as Error).message;
      }
      throw new Error('expected parseAsciicast to throw');
    };
    expect(fail('hello world\n')).toMatch(/^not an asciicast v2 recording: its first line \(the header\) is not JSON/);
    expect(fail('{"version": 1, "width": 80, "height": 24}\n')).toBe(
      'not an asciicast v2 recording: its first line is not a header with "version": 2',
    );
    expect(fail('{"version": 2}\n')).toMatch(/no positive integer "width" and "height"/);
    expect(fail(`${header}\n[0.1, "o", "ok"]\nnot json\n`)).toMatch(/line 3 is not JSON/);
    expect(fail(`${header}\n{"t": 1}\n`)).toBe(
      'not an asciicast v2 recording: line 2 is not an event [seconds, code, data]',
    );
  });
});

describe('castFileName', () => {
  it('names the export <name>-<id>.cast, keeping the name file-safe', () => {
    expect(castFileName('sh', 'abc-1')).toBe('sh-abc-1.cast');
    expect(castFileName('my agent/claude', 'x1')).toBe('my_agent_claude-x1.cast');
    expect(castFileName('../..', 'x1')).toBe('recording-x1.cast');
  });
});
