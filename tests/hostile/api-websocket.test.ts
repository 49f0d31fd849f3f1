// Hostile input for the loopback API (WebSocket /api, the terminal stream endpoint, its HTTP server) against
// a REAL daemon (`devmesh up` child on a temp home): frames that are not JSON or have the wrong types,
// unknown methods, oversized and binary messages, hand-made fragmented garbage on a raw socket, many
// connections opened and abandoned, upgrades never completed, a reader that stops reading, bad tokens and
// foreign Origin/Host headers. After each case the daemon still answers daemon.info and its service still
// runs (ApiDaemon.assertServing). Every loop is bounded in count and time.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiDaemon } from './api-daemon.js';

const d = new ApiDaemon();
const CASE_MS = 120_000;

beforeAll(() => d.start(), 120_000);
afterAll(() => d.stop());

type Answer = { type: string; id: number | null; ok: boolean; error?: { code: string; message: string } };

/** An authenticated WebSocket client that collects what the daemon sends. */
async function client(
  protocols = ['devmesh.v1', `devmesh-token.${d.token}`],
  headers: Record<string, string> = {},
): Promise<{
  ws: WebSocket;
  next: () => Promise<Answer>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`ws://127.0.0.1:${d.port}/api`, protocols, {
    headers,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  });
  const queue: Answer[] = [];
  const waiters: Array<(a: Answer) => void> = [];
  ws.on('message', (data) => {
    const a = JSON.parse(String(data)) as Answer;
    const w = waiters.shift();
    if (w) w(a);
    else queue.push(a);
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.on('error', () => undefined); // the close code says what happened
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
  const next = (): Promise<Answer> =>
    queue.length > 0
      ? Promise.resolve(queue.shift()!)
      : new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no answer within 30 s')), 30_000);
          waiters.push((a) => {
            clearTimeout(t);
            resolve(a);
          });
        });
  return { ws, next, closed };
}

/** The HTTP status the daemon answers a WebSocket upgrade with (101 when accepted). */
function upgradeStatus(protocols: string[], headers: Record<string, string> = {}, path = '/api'): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}${path}`, protocols, { headers, perMessageDeflate: false });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

/** Raw bytes to the API port; resolves with everything the daemon sent until it closed (or the bound). */
function raw(chunks: Array<Buffer | string>, options: { waitMs?: number; gapMs?: number } = {}): Promise<string> {
  return rawExchange(chunks, options).then((r) => r.got);
}

/** …and whether the daemon closed the connection within the bound. */
function rawExchange(
  chunks: Array<Buffer | string>,
  { waitMs = 5_000, gapMs = 0 } = {},
): Promise<{ got: string; closedByDaemon: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(d.port, '127.0.0.1');
    let got = '';
    socket.on('data', (c) => (got += c.toString('latin1')));
    socket.on('error', () => undefined);
    const done = setTimeout(() => {
      socket.destroy();
      resolve({ got, closedByDaemon: false });
    }, waitMs);
    socket.once('close', () => {
      clearTimeout(done);
      resolve({ got, closedByDaemon: true });
    });
    const writeAll = async () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    };
    // Cannot reject: writes to a socket checked live, and timers.
    socket.once('connect', () => void writeAll());
  });
}

function upgradeRequest(extra = ''): string {
  return (
    `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Protocol: devmesh.v1, devmesh-token.${d.token}\r\n${extra}\r\n`
  );
}

/** A client frame by hand (RFC 6455 §5.2): FIN/RSV/opcode byte, mask bit and length, mask, masked payload. */
function frame(
  opcode: number,
  payload: Buffer,
  {
    fin = true,
    rsv = 0,
    masked = true,
    claimLength,
  }: { fin?: boolean; rsv?: number; masked?: boolean; claimLength?: bigint } = {},
): Buffer {
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const len = claimLength ?? BigInt(payload.length);
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(maskBit | Number(len));
  else if (len < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  const mask = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ mask[i % 4]! : b)));
  return Buffer.concat([Buffer.from(head), ext, mask, body]);
}

describe('frames that are not the protocol', () => {
  it(
    'answers malformed JSON, wrong types and non-objects with BAD_REQUEST and keeps the connection',
    async () => {
      const c = await client();
      const bad = [
        '{',
        'not json',
        '',
        '[]',
        'null',
        '42',
        '"call"',
        '{"type":"call"}',
        '{"type":"call","id":"1","method":"daemon.info"}',
        '{"type":"call","id":1,"method":42}',
        '{"type":"call","id":-1,"method":"daemon.info"}',
        '{"type":"call","id":1e300,"method":"x"}',
        '{"type":"subscribe","id":2,"topic":{"a":1}}',
        '{"type":"nope","id":3}',
        `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
        '{"type":"call","id":4,"method":"daemon.info","input":{"__proto__":{"polluted":true}}}',
      ];
      for (const text of bad) {
        c.ws.send(text);
        const a = await c.next();
        expect(a.ok, text.slice(0, 60)).toBe(false);
        expect(a.error?.code).toBe('BAD_REQUEST');
      }
      c.ws.send(JSON.stringify({ type: 'call', id: 9, method: 'daemon.info' }));
      expect(await c.next()).toMatchObject({ id: 9, ok: true });
      c.ws.close();
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'answers unknown methods and topics, and wrong inputs to real methods, without touching anything',
    async () => {
      const c = await client();
      const calls: Array<[string, unknown, string]> = [
        ['__proto__', {}, 'UNKNOWN_METHOD'],
        ['constructor', {}, 'UNKNOWN_METHOD'],
        ['toString', {}, 'UNKNOWN_METHOD'],
        ['daemon.shutdown ', {}, 'UNKNOWN_METHOD'],
        ['services.stop', { name: 42 }, 'BAD_REQUEST'],
        ['services.stop', { name: 'chatty', extra: true }, 'BAD_REQUEST'],
        ['services.stop', 'chatty', 'BAD_REQUEST'],
        ['daemon.shutdown', { now: true }, 'BAD_REQUEST'],
        ['terminals.create', { command: 'x'.repeat(5000) }, 'BAD_REQUEST'],
        ['logs.page', { name: 'chatty', limit: 1e9 }, 'BAD_REQUEST'],
        ['locks.check', { holder: 'a', paths: Array.from({ length: 3 }, () => ({})) }, 'BAD_REQUEST'],
      ];
      let id = 100;
      for (const [method, input, code] of calls) {
        c.ws.send(JSON.stringify({ type: 'call', id: ++id, method, input }));
        const a = await c.next();
        expect(a, method).toMatchObject({ id, ok: false, error: { code } });
      }
      c.ws.send(JSON.stringify({ type: 'subscribe', id: ++id, topic: 'everything', params: {} }));
      expect((await c.next()).ok).toBe(false);
      c.ws.send(JSON.stringify({ type: 'subscribe', id: id + 1, topic: 'logs', params: { name: { $gt: '' } } }));
      expect((await c.next()).ok).toBe(false);
      c.ws.close();
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'answers an oversized message with MESSAGE_TOO_LARGE, closes on a far larger frame, refuses binary frames',
    async () => {
      const c = await client();
      c.ws.send(`{"type":"call","id":7,"method":"daemon.info","input":{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}}`);
      expect(await c.next()).toMatchObject({ id: 7, ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
      c.ws.send(randomBytes(4096), { binary: true });
      expect(await c.next()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      c.ws.send(Buffer.alloc(12 * 1024 * 1024, 0x20).toString());
      expect(await c.closed).toBe(1009);
      await d.assertServing();
    },
    CASE_MS,
  );
});

describe('hand-made frames on a raw socket', () => {
  const cases: Array<[string, Buffer[]]> = [
    ['a continuation with no message before it', [frame(0x0, Buffer.from('lost'))]],
    [
      'a fragmented message of invalid UTF-8',
      [frame(0x1, Buffer.from([0xc3]), { fin: false }), frame(0x0, Buffer.from([0x28, 0xff]))],
    ],
    [
      'a text frame inside a fragmented message',
      [frame(0x1, Buffer.from('{"a":'), { fin: false }), frame(0x1, Buffer.from('1}'))],
    ],
    ['a fragmented ping', [frame(0x9, Buffer.from('p'), { fin: false })]],
    ['a reserved opcode', [frame(0x3, Buffer.from('?'))]],
    ['RSV bits without an extension', [frame(0x1, Buffer.from('{}'), { rsv: 0b111 })]],
    ['an unmasked client frame', [frame(0x1, Buffer.from('{}'), { masked: false })]],
    ['a frame claiming 2^63-1 bytes', [frame(0x1, Buffer.alloc(16), { claimLength: 0x7fffffffffffffffn })]],
    ['a close frame with a 1-byte body', [frame(0x8, Buffer.from([0x03]))]],
    ['a ping over 125 bytes', [frame(0x9, Buffer.alloc(200))]],
    ['random bytes', [randomBytes(64 * 1024)]],
  ];
  it.each(cases)(
    'drops the connection on %s',
    async (_what, frames) => {
      const r = await rawExchange([upgradeRequest(), ...frames], { waitMs: 30_000 });
      expect(r.got).toMatch(/^HTTP\/1\.1 101 /);
      expect(r.closedByDaemon).toBe(true);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'sends fragmented garbage slowly, a byte at a time, and is dropped or ignored',
    async () => {
      const bytes = Buffer.concat([frame(0x1, Buffer.from('{"type":'), { fin: false }), frame(0x0, randomBytes(40))]);
      await raw([upgradeRequest(), ...[...bytes].map((b) => Buffer.from([b]))], { waitMs: 8_000, gapMs: 10 });
      await d.assertServing();
    },
    CASE_MS,
  );
});

describe('many clients, slow clients, unfinished ones', () => {
  it(
    'survives 200 connections opened and abandoned (no close frame) and 100 upgrades never completed',
    async () => {
      const open: WebSocket[] = [];
      for (let i = 0; i < 200; i++) open.push((await client()).ws);
      for (const ws of open) ws.terminate();
      const pending: Socket[] = [];
      for (let i = 0; i < 100; i++) {
        const s = connect(d.port, '127.0.0.1');
        s.on('error', () => undefined);
        s.write(upgradeRequest().slice(0, 40 + (i % 60))); // stops mid-header
        pending.push(s);
      }
      try {
        await d.assertServing();
      } finally {
        for (const s of pending) s.destroy();
      }
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'a reader that pipelines 250 heavy calls and stops reading costs a few answers, not the daemon',
    async () => {
      const c = await client();
      const socket = (c.ws as unknown as { _socket: Socket })._socket;
      socket.pause(); // our side stops reading: the kernel buffers fill, then the daemon's
      for (let i = 0; i < 250; i++)
        c.ws.send(JSON.stringify({ type: 'call', id: i, method: 'logs.page', input: { name: 'chatty', limit: 5000 } }));
      await d.assertServing(); // on other connections, while this one is stuck
      socket.resume();
      const ids = new Set<number>();
      for (let i = 0; i < 250; i++) {
        const a = await c.next();
        expect(a.ok, a.error?.message).toBe(true);
        ids.add(a.id!);
      }
      expect(ids.size).toBe(250); // nothing lost: the waiting calls ran once the reader read again
      c.ws.close();
      await d.assertServing();
    },
    CASE_MS,
  );
});

describe('who may connect', () => {
  it(
    'refuses bad, missing and absurd tokens',
    async () => {
      expect(await upgradeStatus(['devmesh.v1', `devmesh-token.${'0'.repeat(64)}`])).toBe(401);
      expect(await upgradeStatus(['devmesh.v1'])).toBe(401);
      expect(await upgradeStatus([`devmesh-token.${d.token}`])).toBe(400);
      expect(await upgradeStatus(['devmesh.v1', `devmesh-token.${'z'.repeat(8000)}`])).toBe(401);
      expect(await upgradeStatus(Array.from({ length: 300 }, (_, i) => `p${i}`))).toBe(401);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'refuses foreign Origin and Host headers, also on the terminal stream endpoint',
    async () => {
      const good = ['devmesh.v1', `devmesh-token.${d.token}`];
      expect(await upgradeStatus(good, { Origin: 'http://evil.example' })).toBe(403);
      expect(await upgradeStatus(good, { Origin: 'null' })).toBe(403);
      expect(await upgradeStatus(good, { Host: 'evil.example' })).toBe(403);
      expect(await upgradeStatus(good, { Host: `evil.example:${d.port}` })).toBe(403);
      expect(await upgradeStatus(good, { Host: '127.0.0.1' })).toBe(403);
      expect(await upgradeStatus(good, { Origin: 'http://evil.example' }, '/terminals/t-000000000000/stream')).toBe(
        403,
      );
      expect(await upgradeStatus(['devmesh.v1'], {}, '/terminals/t-000000000000/stream')).toBe(401);
      const http10 = await raw([`GET / HTTP/1.0\r\n\r\n`]);
      expect(http10).toMatch(/^HTTP\/1\.[01] (400|403) /);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'answers malformed HTTP on the API port with 400 or 431 and stays up',
    async () => {
      const answers = await Promise.all([
        raw(['GARBAGE\r\n\r\n']),
        raw([`GET / HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nX: ${'a'.repeat(64 * 1024)}\r\n\r\n`]),
        raw([`GET / HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nX: a\rb\r\n\r\n`]),
        raw([
          `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\n` +
            `Sec-WebSocket-Protocol: devmesh.v1, devmesh-token.${d.token}\r\n\r\n`,
        ]),
        raw([`POST /api HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nContent-Length: 5\r\n\r\nhello`]),
      ]);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 400 /);
      expect(answers[1]).toMatch(/^HTTP\/1\.1 431 /);
      expect(answers[2]).toMatch(/^HTTP\/1\.1 400 /);
      expect(answers[3]).toMatch(/^HTTP\/1\.1 400 /);
      expect(answers[4]).toMatch(/^HTTP\/1\.1 405 /);
      await d.assertServing();
    },
    CASE_MS,
  );
});
