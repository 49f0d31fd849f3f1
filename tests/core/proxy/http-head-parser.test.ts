// The fast path's head parser: framing facts, and refusal of the shapes used for request smuggling.
import { describe, expect, it } from 'vitest';
import * as httpHeadParser from '../../../main/core/proxy/http-head-parser.js';
import type { RequestHead } from '../../../main/core/proxy/http-head-parser.js';

function req(text: string): RequestHead {
  const r = httpHeadParser.parseRequest(Buffer.from(text, 'latin1'), 16_384);
  if (r === null || 'error' in r) throw new Error(`not parsed: ${JSON.stringify(r)}`);
  return r;
}

describe('httpHeadParser', () => {
  it('waits for the whole head, then reports method, target, host and framing', () => {
    expect(httpHeadParser.parseRequest(Buffer.from('GET / HTTP/1.1\r\nHost: a'), 16_384)).toBeNull();
    const text = 'POST /x?y=1 HTTP/1.1\r\nHost: api.localhost\r\nContent-Length: 12\r\nConnection: close\r\n\r\nbody';
    const h = req(text);
    expect([h.method, h.target, h.host, h.close, h.framer.mode, h.headEnd]).toEqual([
      'POST',
      '/x?y=1',
      'api.localhost',
      true,
      'length',
      text.indexOf('body'),
    ]);
    expect(req('GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n').framer.mode).toBe('chunked');
    const up = req('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(up.upgrade).toBe('websocket');
    expect(req('GET / HTTP/1.0\r\n\r\n').close).toBe(true);
  });

  it('refuses malformed and ambiguous heads with 400, oversized with 431', () => {
    const bad = [
      'NOT HTTP\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
      'GET / HTTP/1.1\r\nBad Name: x\r\n\r\n',
      'GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n',
      // strict RFC 9112: no bare LF or CR, no control characters but HTAB in a value or the target
      'GET / HTTP/1.1\r\nHost: a\n\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: b\r\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: \rb\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: a\x1b[31m\r\n\r\n',
      'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n',
    ];
    for (const text of bad)
      expect(httpHeadParser.parseRequest(Buffer.from(text), 16_384)).toMatchObject({ status: 400 });
    expect(httpHeadParser.parseRequest(Buffer.alloc(20_000, 0x61), 16_384)).toMatchObject({ status: 431 });
    // HTAB, obs-text and optional whitespace stay fine; OWS is SP and HTAB only (0xA0 is part of the value)
    expect(req('GET / HTTP/1.1\r\nHost: a\r\nX: \tcaf\xe9 \xa0\t \r\n\r\n').values[1]).toBe('caf\xe9 \xa0');
  });

  it('frames responses by status, method and headers', () => {
    const res = (text: string) => {
      const r = httpHeadParser.parseResponse(Buffer.from(text), 16_384);
      if (r === null || 'error' in r) throw new Error('not parsed');
      return r;
    };
    const ok = res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    expect(httpHeadParser.responseFramer(ok, 'GET').mode).toBe('length');
    expect(httpHeadParser.responseFramer(ok, 'HEAD').mode).toBe('none');
    expect(httpHeadParser.responseFramer(res('HTTP/1.1 304 Not Modified\r\n\r\n'), 'GET').mode).toBe('none');
    expect(
      httpHeadParser.responseFramer(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), 'GET').mode,
    ).toBe('chunked');
    expect(httpHeadParser.responseFramer(res('HTTP/1.0 200 OK\r\n\r\n'), 'GET').mode).toBe('until-close');
  });
});
