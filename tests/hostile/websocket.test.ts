// Bad WebSocket frames through a real daemon's proxy (HTTP and HTTPS listeners) to a service using the
// `ws` package: unmasked client frames, reserved opcodes and bits, a 2^63-byte length, fragmented and
// oversized control frames, invalid UTF-8, a client that vanishes mid-frame. The service answers each
// with a close frame (RFC 6455 §7.4) and the proxy ends the client's connection with it; after every case
// the daemon and the service still run, and a well-formed echo still works.
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostileDaemon } from './hostile-daemon.js';
import { collect, connect, type Listener } from './raw-clients.js';
import { scaled } from '../helpers/load-scale.js';

const UPGRADE =
  'GET /ws HTTP/1.1\r\nHost: api.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A client frame: FIN + opcode byte, masked with a random key unless `masked` is false. */
function wsFrame(first: number, payload: Buffer, opts: { masked?: boolean; length?: Buffer } = {}): Buffer {
  const masked = opts.masked !== false;
  const n = payload.length;
  const len = opts.length ?? (n < 126 ? Buffer.from([n]) : Buffer.from([126, n >> 8, n & 0xff]));
  const head = Buffer.from(len);
  if (masked) head[0]! |= 0x80;
  if (!masked) return Buffer.concat([Buffer.from([first]), head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from([first]), head, key, body]);
}

/** Opens a WebSocket through the proxy with a raw handshake; resolves once the 101 arrived. */
async function upgraded(l: Listener): Promise<net.Socket> {
  const s = await connect(l);
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const timer = setTimeout(() => reject(new Error(`no 101 within 10 s: ${head}`)), 10_000);
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      s.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`no upgrade: ${head.slice(0, 200)}`));
      else resolve();
    };
    s.on('data', onData);
    s.write(UPGRADE);
  });
  return s;
}

const CASES: [string, Buffer][] = [
  ['an unmasked client frame', wsFrame(0x81, Buffer.from('hello'), { masked: false })],
  ['a reserved data opcode (0x3)', wsFrame(0x83, Buffer.from('x'))],
  ['a reserved control opcode (0xB)', wsFrame(0x8b, Buffer.alloc(0))],
  ['reserved bits set (RSV1-3 without an extension)', wsFrame(0xf1, Buffer.from('x'))],
  [
    'a 64-bit length with the top bit set (2^63)',
    wsFrame(0x82, Buffer.alloc(16), { length: Buffer.from([127, 0x80, 0, 0, 0, 0, 0, 0, 0]) }),
  ],
  [
    'a length over the service limit (4 GB)',
    wsFrame(0x82, Buffer.alloc(16), { length: Buffer.from([127, 0, 0, 0, 1, 0, 0, 0, 0]) }),
  ],
  ['a fragmented control frame (PING without FIN)', wsFrame(0x09, Buffer.from('p'))],
  ['a control frame over 125 bytes', wsFrame(0x89, Buffer.alloc(200, 0x70))],
  ['invalid UTF-8 in a text frame', wsFrame(0x81, Buffer.from([0xff, 0xfe, 0xfd]))],
  ['a continuation frame with nothing to continue', wsFrame(0x80, Buffer.from('x'))],
];

describe('bad WebSocket frames through the proxy', () => {
  let d: HostileDaemon;
  beforeAll(async () => {
    d = await HostileDaemon.start('ws');
  }, scaled(120_000));
  afterAll(async () => {
    await d?.stop();
  }, scaled(30_000));

  const listeners = HostileDaemon.proxyListeners(() => d);

  for (const [which, listener] of listeners) {
    it(
      `${which}: each protocol error gets a close frame and the connection ends`,
      async () => {
        for (const [what, bytes] of CASES) {
          const s = await upgraded(listener());
          const r = await collect(s, 10_000, () => s.write(bytes));
          expect(r.closed, `${what}: the connection ends`).toBe(true);
          // a close frame from the service: opcode 0x8, unmasked
          expect(r.text.charCodeAt(0), `${what}: a close frame`).toBe(0x88);
          await d.alive(`${which} WebSocket: ${what}`);
        }
      },
      scaled(120_000),
    );

    it(
      `${which}: clients that vanish mid-frame or flood without reading, then a good echo`,
      async () => {
        for (let i = 0; i < 20; i++) {
          const s = await upgraded(listener());
          // announce 100 KB, send 10 bytes, vanish
          s.write(wsFrame(0x82, Buffer.alloc(10), { length: Buffer.from([126, 0xff, 0xff]) }).subarray(0, 20));
          s.destroy();
        }
        const flood = await upgraded(listener());
        flood.pause();
        const message = wsFrame(0x82, Buffer.alloc(60_000, 0x66));
        for (let i = 0; i < 200; i++) if (!flood.write(message)) await new Promise((r) => setTimeout(r, 5));
        flood.destroy();
        await d.alive(`${which} WebSocket: vanishing and flooding clients`);
        const s = await upgraded(listener());
        const echo = await collect(s, 3_000, () => s.write(wsFrame(0x81, Buffer.from('still here'))));
        expect(echo.text).toContain('still here');
      },
      scaled(120_000),
    );
  }
});
