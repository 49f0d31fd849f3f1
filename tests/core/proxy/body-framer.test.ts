// Framing must find the exact end of a body whatever way the bytes are split across reads.
import { describe, expect, it } from 'vitest';
import { BodyFramer } from '../../../main/core/proxy/body-framer.js';

/** Feeds `wire` in pieces of `step` bytes; returns the body length found and whether the end was seen. */
function frame(framer: BodyFramer, wire: Buffer, step: number): number {
  let total = 0;
  for (let i = 0; i < wire.length && !framer.done; i += step) {
    const piece = wire.subarray(i, Math.min(i + step, wire.length));
    total += framer.consume(piece, 0);
  }
  return total;
}

describe('BodyFramer', () => {
  const chunked = Buffer.from('5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\nNEXT');
  const bodyLen = chunked.indexOf('NEXT');

  it('finds the end of a chunked body (with extensions and trailers) at every split size', () => {
    for (let step = 1; step <= chunked.length; step++) {
      const f = new BodyFramer('chunked');
      expect(frame(f, chunked, step)).toBe(bodyLen);
      expect(f.done).toBe(true);
      expect(f.error).toBeNull();
    }
  });

  it('counts Content-Length bytes and stops there', () => {
    const f = new BodyFramer('length', 10);
    expect(f.consume(Buffer.from('0123456'), 0)).toBe(7);
    expect(f.consume(Buffer.from('789extra'), 0)).toBe(3);
    expect(f.done).toBe(true);
    expect(new BodyFramer('length', 0).done).toBe(true);
    expect(new BodyFramer('none').done).toBe(true);
  });

  it('is strict (RFC 9112): bare CR or LF, whitespace after a size, control characters are framing errors', () => {
    const bad: [string, RegExp][] = [
      ['0\r5\r\nhello\r\n0\r\n\r\n', /bare CR/],
      ['5\nhello\r\n0\r\n\r\n', /bare LF/],
      ['5\r\nhello\n0\r\n\r\n', /CRLF after a chunk/],
      ['5\r\nhello\r0\r\n\r\n', /CRLF after a chunk/],
      ['5 \r\nhello\r\n0\r\n\r\n', /whitespace after the chunk size/],
      ['5 5\r\nhello\r\n0\r\n\r\n', /whitespace after the chunk size/],
      ['5;a\x01\r\nhello\r\n0\r\n\r\n', /control character/],
      [';a\r\n', /bad chunk size/],
      ['0\r\nX: 1\n\r\n', /bare LF in a trailer/],
      ['0\r\nX: 1\rY\r\n\r\n', /bare CR in a trailer/],
      ['0\r\nX: \x00\r\n\r\n', /control character in a trailer/],
    ];
    for (const [wire, why] of bad) {
      // byte by byte and whole: the verdict must not depend on how reads split the bytes
      for (const step of [1, wire.length]) {
        const f = new BodyFramer('chunked');
        frame(f, Buffer.from(wire, 'latin1'), step);
        expect(f.error, JSON.stringify(wire)).toMatch(why);
      }
    }
  });

  it('flags broken chunk framing', () => {
    for (const bad of ['zz\r\n', '5\r\nhelloXX', '\r\n']) {
      const f = new BodyFramer('chunked');
      f.consume(Buffer.from(bad), 0);
      expect(f.error).not.toBeNull();
    }
  });
});
