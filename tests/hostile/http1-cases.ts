// Hostile HTTP/1.1 clients, run by the suites against each listener that speaks HTTP/1.1 (the proxy's
// HTTP and HTTPS listeners, the peer ingress): garbage and huge heads, malformed chunks, smuggling shapes,
// slowloris heads, slow readers of a large body, and clients that vanish mid-request. Each case checks
// the answer the protocol calls for; the suite then checks that the daemon and its service still run.
import { expect } from 'vitest';
import type { HostileDaemon } from './hostile-daemon.js';
import { collect, connect, exchange, reset, seeded, type Listener, type RawResult } from './raw-clients.js';

export interface HostileCase {
  name: string;
  /** bound for the whole case (ms) */
  timeoutMs: number;
  run(l: Listener, d: HostileDaemon): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A head the listener routes: Host api.localhost (the ingress refuses it 403 without credentials). */
const head = (extra = '', line = 'GET /x HTTP/1.1') => `${line}\r\nHost: api.localhost\r\n${extra}\r\n`;

function refused(r: RawResult, status: RegExp, what: string): void {
  expect(r.text, what).toMatch(new RegExp(`^HTTP/1\\.1 ${status.source}`));
  expect(r.closed, `${what}: the connection closes`).toBe(true);
}

/** Runs `fn` over `items` with at most `width` at a time. */
async function batched<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width)
    await Promise.all(items.slice(i, i + width).map((x, j) => fn(x, i + j)));
}

export const HTTP1_CASES: HostileCase[] = [
  {
    name: 'garbage heads (seeded random bytes, an HTTP/2 preface, bad versions, NULs)',
    timeoutMs: 60_000,
    async run(l) {
      const rnd = seeded(12);
      const garbage: Buffer[] = Array.from({ length: 30 }, () => {
        const b = Buffer.alloc(1 + Math.floor(rnd() * 2000));
        for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
        return Buffer.concat([b, Buffer.from('\r\n\r\n')]);
      });
      const fixed = ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET\r\n\r\n', '\0\0\0\r\n\r\n'];
      fixed.push('GET / HTTP/1.1\r\n\0Host: a\r\n\r\n');
      await batched([...fixed.map((s) => Buffer.from(s, 'latin1')), ...garbage], 10, async (bytes, i) => {
        refused(await exchange(l, [bytes]), /4\d\d/, `garbage #${i}`);
      });
    },
  },
  {
    name: 'huge heads: a 60 KB field, 1 MB without an end, 2,000 fields, a 20 KB target',
    timeoutMs: 60_000,
    async run(l) {
      refused(await exchange(l, [head(`X-Big: ${'a'.repeat(60_000)}\r\n`)]), /431/, '60 KB field');
      const mb = Array.from({ length: 16 }, () => Buffer.alloc(64 * 1024, 0x61));
      refused(await exchange(l, [head().slice(0, -2), ...mb]), /431/, '1 MB head');
      refused(
        await exchange(l, [head(Array.from({ length: 2000 }, (_, i) => `X-${i}: v\r\n`).join(''))]),
        /431/,
        '2,000 fields',
      );
      refused(await exchange(l, [head('', `GET /${'a'.repeat(20_000)} HTTP/1.1`)]), /431/, '20 KB target');
    },
  },
  {
    name: 'malformed chunks: bare CR and LF, whitespace after a size, bad sizes, missing CRLF, huge sizes',
    timeoutMs: 60_000,
    async run(l) {
      const bodies = [
        '0\r5\r\nhello\r\n0\r\n\r\n',
        '5\nhello\r\n0\r\n\r\n',
        '5 \r\nhello\r\n0\r\n\r\n',
        'zz\r\n',
        '5\r\nhelloXX',
      ];
      bodies.push('\r\n', 'fffffffffffffff\r\n', `${'1'.repeat(9000)}\r\n`, '5\r\nhello\r\n0\r\nX: 1\n\r\n');
      await batched(bodies, 5, async (body) => {
        const r = await exchange(l, [
          `POST /chunk HTTP/1.1\r\nHost: api.localhost\r\nTransfer-Encoding: chunked\r\n\r\n`,
          body,
        ]);
        // The ingress may refuse the head (403) before it reads the body: either way, never a 2xx.
        expect(r.text, JSON.stringify(body)).toMatch(/^HTTP\/1\.1 (400|403)/);
        if (/^HTTP\/1\.1 400/.test(r.text)) expect(r.closed).toBe(true);
      });
    },
  },
  {
    name: 'request smuggling shapes: CL+TE, two Content-Lengths, TE tricks; nothing smuggled reaches the service',
    timeoutMs: 60_000,
    async run(l, d) {
      const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: api.localhost\r\n\r\n';
      const shapes = [
        `Content-Length: ${smuggled.length + 5}\r\nTransfer-Encoding: chunked\r\n`,
        `Transfer-Encoding: chunked\r\nContent-Length: ${smuggled.length + 5}\r\n`,
        'Content-Length: 5\r\nContent-Length: 0\r\n',
        'Content-Length: 0, 5\r\n',
        'Content-Length: +5\r\n',
        'Transfer-Encoding: xchunked\r\n',
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n',
        'Transfer-Encoding : chunked\r\n',
        'Transfer-Encoding:\r\n chunked\r\n',
        'Transfer-Encoding: \x0bchunked\r\n',
      ];
      await batched(shapes, 5, async (shape) => {
        const bytes = `POST /smuggle HTTP/1.1\r\nHost: api.localhost\r\n${shape}\r\n0\r\n\r\n${smuggled}`;
        refused(await exchange(l, [bytes]), /400/, JSON.stringify(shape));
      });
      expect(await d.seen()).not.toContain('/smuggled');
    },
  },
  {
    name: 'slowloris heads: 20 connections dripping a head are answered 408 and closed; others are served meanwhile',
    timeoutMs: 90_000,
    async run(l, d) {
      const socks = await Promise.all(Array.from({ length: 20 }, () => connect(l)));
      const results = socks.map((s) =>
        collect(s, 40_000, () => s.write('GET /slow HTTP/1.1\r\nHost: api.localhost\r\nX-Drip: ')),
      );
      let stop = false;
      const drip = (async () => {
        for (let i = 0; i < 120 && !stop; i++) {
          for (const s of socks) if (!s.destroyed) s.write('a');
          await sleep(300);
        }
      })();
      await d.alive('slowloris connections opened');
      const rs = await Promise.all(results);
      stop = true;
      await drip;
      for (const r of rs) refused(r, /408/, 'slowloris');
    },
  },
  {
    name: 'slow readers of an 8 MB body: backpressure holds, the daemon serves others and its memory stays bounded',
    timeoutMs: 60_000,
    async run(l, d) {
      const before = d.rssMb();
      const socks = await Promise.all(Array.from({ length: 10 }, () => connect(l)));
      let read = 0;
      for (const [i, s] of socks.entries()) {
        s.on('error', () => undefined);
        s.write('GET /big HTTP/1.1\r\nHost: api.localhost\r\n\r\n');
        // half of them never read; the others read a little, slowly
        if (i % 2 === 0) s.pause();
        else s.on('data', (c: Buffer) => ((read += c.length), s.pause(), setTimeout(() => s.resume(), 100)));
      }
      await sleep(2_000);
      await d.alive('10 slow readers of /big');
      const grown = d.rssMb() - before;
      for (const s of socks) s.destroy();
      expect(read).toBeGreaterThan(0);
      // 10 × 8 MB would be 80 MB if the proxy buffered the bodies; flow control keeps it to socket buffers
      expect(grown).toBeLessThan(60);
    },
  },
  {
    name: 'clients that vanish mid-head, mid-body, mid-response, with a reset, or mid-handshake',
    timeoutMs: 60_000,
    async run(l) {
      const kinds = ['mid-head', 'mid-body', 'mid-response', 'reset', 'after-head', 'handshake'];
      await batched(
        Array.from({ length: 60 }, (_, i) => kinds[i % kinds.length]!),
        12,
        async (kind) => {
          if (kind === 'handshake') {
            // a TLS ClientHello cut short (on a plain listener: garbage that never ends its head)
            const s = await connect({ name: l.name, port: l.port });
            s.on('error', () => undefined);
            s.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 1, 2, 3]));
            await sleep(20);
            return void s.destroy();
          }
          const s = await connect(l);
          s.on('error', () => undefined);
          if (kind === 'mid-head') s.write('GET /gone HTTP/1.1\r\nHost: api.loc');
          if (kind === 'after-head') s.write('GET /gone HTTP/1.1\r\nHost: api.localhost\r\n\r\n');
          if (kind === 'mid-body' || kind === 'reset') {
            s.write(
              `POST /upload HTTP/1.1\r\nHost: api.localhost\r\nContent-Length: 1000000\r\n\r\n${'u'.repeat(10_000)}`,
            );
          }
          if (kind === 'mid-response') {
            s.write('GET /big HTTP/1.1\r\nHost: api.localhost\r\n\r\n');
            await new Promise<void>((res) => {
              let n = 0;
              const t = setTimeout(res, 2_000);
              s.on('data', (c: Buffer) => (n += c.length) > 100_000 && (clearTimeout(t), res()));
            });
          } else await sleep(20);
          if (kind === 'reset') reset(s);
          else s.destroy();
        },
      );
    },
  },
];
