// Hostile HTTP/2 clients, run against each listener that offers h2 by ALPN (the proxy's HTTPS listener, the
// peer ingress): malformed frames written raw after the TLS + ALPN h2 handshake, floods of resets,
// settings and pings, and h2load bursts (Debian's nghttp2-client), one of them killed mid-burst. Where
// RFC 9113 names the connection error, the GOAWAY must carry it; the suite then checks the daemon.
import { execFile, spawn } from 'node:child_process';
import { expect } from 'vitest';
import type { HostileCase } from './http1-cases.js';
import {
  END_HEADERS,
  END_STREAM,
  Frame,
  frame,
  get,
  h2exchange,
  hpack,
  PREFACE,
  settings,
  u32,
  type H2Seen,
} from './raw-clients.js';

const PROTOCOL_ERROR = 0x1;
const FRAME_SIZE_ERROR = 0x6;
const COMPRESSION_ERROR = 0x9;

/** The connection ended, with GOAWAY carrying `code` when given. */
function ended(seen: H2Seen, what: string, code?: number): void {
  expect(seen.closed || seen.goaway !== null, `${what}: the server ends the connection`).toBe(true);
  if (code !== undefined) expect(seen.goaway, `${what}: GOAWAY error code`).toBe(code);
}

const OPEN = [PREFACE, settings()];

export function h2Cases(authority: string, path: string, h2loadStatus: '2xx' | '4xx'): HostileCase[] {
  /** a POST's HEADERS frame on `stream`, its body still to come */
  const post = (stream: number) =>
    frame(
      Frame.HEADERS,
      END_HEADERS,
      stream,
      hpack([
        [':method', 'POST'],
        [':scheme', 'https'],
        [':authority', authority],
        [':path', path],
      ]),
    );
  return [
    {
      name: 'a bad connection preface, garbage after ALPN h2, an HTTP/1.1 request over h2',
      timeoutMs: 30_000,
      async run(l) {
        ended(await h2exchange(l, [Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n'), settings()]), 'bad preface');
        ended(await h2exchange(l, [Buffer.alloc(4096, 0xee)]), 'garbage');
        ended(
          await h2exchange(l, [Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`)]),
          'HTTP/1.1 over h2',
        );
      },
    },
    {
      name: 'oversized frame lengths: a header claiming 16 MB, a DATA frame over SETTINGS_MAX_FRAME_SIZE',
      timeoutMs: 30_000,
      async run(l) {
        const claim = frame(Frame.HEADERS, END_HEADERS, 1, Buffer.alloc(1024), 0xffffff);
        ended(await h2exchange(l, [...OPEN, claim]), '16 MB length', FRAME_SIZE_ERROR);
        const big = frame(Frame.DATA, 0, 1, Buffer.alloc(16_385));
        ended(await h2exchange(l, [...OPEN, post(1), big]), 'DATA over 16 KB', FRAME_SIZE_ERROR);
      },
    },
    {
      name: 'unknown frame types are ignored and a request after them is still answered',
      timeoutMs: 30_000,
      async run(l) {
        const unknown = Array.from({ length: 64 }, (_, i) => frame(0x0a + i, 0xff, i % 3, Buffer.alloc(i * 7, i)));
        const seen = await h2exchange(l, [...OPEN, ...unknown, get(1, authority, path)], 3_000);
        expect(seen.answered.has(1), 'the GET after unknown frames is answered').toBe(true);
      },
    },
    {
      name: 'HEADERS frames with broken HPACK blocks (index 0, an index past the tables, a length past the block)',
      timeoutMs: 30_000,
      async run(l) {
        const blocks = [
          Buffer.from([0x80]),
          Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
          Buffer.from([0x00, 0x7f, 0x10, 0x61]),
        ];
        for (const [i, block] of blocks.entries()) {
          const headers = frame(Frame.HEADERS, END_STREAM | END_HEADERS, 1, block);
          ended(await h2exchange(l, [...OPEN, headers]), `HPACK block ${i}`, COMPRESSION_ERROR);
        }
      },
    },
    {
      name: 'a rapid-reset flood: 5,000 streams opened and reset at once',
      timeoutMs: 60_000,
      async run(l) {
        const seen = await h2exchange(
          l,
          (s) => {
            for (const b of OPEN) s.write(b);
            for (let i = 0; i < 5_000; i++) {
              const id = 2 * i + 1;
              s.write(Buffer.concat([get(id, authority, path), frame(Frame.RST_STREAM, 0, id, u32(0x8))]));
            }
          },
          10_000,
        );
        // Either the server keeps up or it ends the connection (ENHANCE_YOUR_CALM); both are fine.
        expect(seen.types.length + (seen.closed ? 1 : 0)).toBeGreaterThan(0);
      },
    },
    {
      name: 'floods of SETTINGS, PING and CONTINUATION frames from a client that reads nothing',
      timeoutMs: 60_000,
      async run(l) {
        const flood =
          (one: Buffer, n: number, first: Buffer[] = []) =>
          (s: import('node:net').Socket) => {
            for (const b of [...OPEN, ...first]) s.write(b);
            for (let i = 0; i < n; i++) s.write(one);
          };
        ended(await h2exchange(l, flood(settings([[0x3, 100]]), 20_000), 10_000), 'SETTINGS flood');
        await h2exchange(l, flood(frame(Frame.PING, 0, 0, Buffer.alloc(8)), 20_000), 5_000);
        const open = frame(Frame.HEADERS, END_STREAM, 1, hpack([[':method', 'GET']]));
        const more = frame(Frame.CONTINUATION, 0, 1, Buffer.alloc(1024, 0x61));
        ended(await h2exchange(l, flood(more, 10_000, [open]), 10_000), 'CONTINUATION flood');
      },
    },
    {
      name: 'WINDOW_UPDATE with a 0 increment, on the connection and on a stream',
      timeoutMs: 30_000,
      async run(l) {
        const zero = frame(Frame.WINDOW_UPDATE, 0, 0, u32(0));
        ended(await h2exchange(l, [...OPEN, zero]), 'connection WINDOW_UPDATE 0', PROTOCOL_ERROR);
        const seen = await h2exchange(l, [...OPEN, post(1), frame(Frame.WINDOW_UPDATE, 0, 1, u32(0))], 2_000);
        const refused = seen.types.includes(Frame.RST_STREAM) || seen.goaway !== null || seen.closed;
        expect(refused, 'stream WINDOW_UPDATE 0 is an error').toBe(true);
      },
    },
    {
      name: 'a stream id going backwards (5, then 3)',
      timeoutMs: 30_000,
      async run(l) {
        // RFC 9113 §5.1.1 calls it a connection error; nghttp2 (Node's HTTP/2) ignores such a HEADERS block
        // instead, since a late trailer on a reset stream looks the same. Either way stream 3 is never served.
        const seen = await h2exchange(l, [...OPEN, get(5, authority, path), get(3, authority, path)], 2_000);
        expect(seen.answered.has(5), 'stream 5 is answered').toBe(true);
        expect(seen.answered.has(3), 'stream 3 is not').toBe(false);
        if (seen.goaway !== null) expect(seen.goaway).toBe(PROTOCOL_ERROR);
      },
    },
    {
      name: `h2load bursts: 4,000 requests on 20 connections × 20 streams all answered ${h2loadStatus}; a burst killed midway`,
      timeoutMs: 120_000,
      async run(l) {
        const url = `https://127.0.0.1:${l.port}${path}`;
        const args = ['-n', '4000', '-c', '20', '-m', '20', '-H', `:authority: ${authority}`, url];
        const out = await new Promise<string>((resolve, reject) =>
          execFile('h2load', args, { timeout: 100_000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${err.message}\n${stdout}\n${stderr}`));
            else resolve(stdout);
          }),
        );
        // h2load counts a 4xx as "failed"; "errored" and "timeout" are the streams that got no answer
        expect(out, out).toMatch(
          /requests: 4000 total, 4000 started, 4000 done, \d+ succeeded, \d+ failed, 0 errored, 0 timeout/,
        );
        expect(out, out).toMatch(
          new RegExp(`status codes: ${h2loadStatus === '2xx' ? '4000 2xx' : '0 2xx, 0 3xx, 4000 4xx'}`),
        );
        // many streams in flight when the client disappears
        const burst = ['-n', '100000', '-c', '20', '-m', '50', '-H', `:authority: ${authority}`, url];
        const killed = spawn('h2load', burst, { stdio: 'ignore' });
        await new Promise((r) => setTimeout(r, 700));
        killed.kill('SIGKILL');
        await new Promise((r) => killed.once('exit', r));
      },
    },
  ];
}
