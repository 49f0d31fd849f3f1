// Hostile clients for the suites: raw HTTP/1.1 bytes over TCP or TLS, and raw HTTP/2 frames written after a
// real TLS + ALPN h2 handshake (RFC 9113 §4.1 frame layout, HPACK literals without Huffman coding). Every
// exchange is bounded in time; sockets are always destroyed.
import net from 'node:net';
import tls from 'node:tls';
import { mulberry32 } from '../helpers/mulberry32.js';

export interface Listener {
  name: string;
  port: number;
  /** TLS with this SNI name; absent: plain TCP */
  servername?: string;
}

export interface RawResult {
  text: string;
  closed: boolean;
}

const tcps = new WeakMap<net.Socket, net.Socket>();

/** Ends `s` with a TCP reset (RST), under TLS too: a client that vanishes without a goodbye. */
export function reset(s: net.Socket): void {
  (tcps.get(s) ?? s).resetAndDestroy();
  s.destroy();
}

/** A connection to `l` (TLS: any certificate, ALPN `alpn`), connected or rejected within `boundMs`. */
export function connect(l: Listener, alpn = 'http/1.1', boundMs = 10_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const tcp = net.connect(l.port, '127.0.0.1');
    const options = { socket: tcp, servername: l.servername, rejectUnauthorized: false, ALPNProtocols: [alpn] };
    const s = l.servername === undefined ? tcp : tls.connect(options);
    tcps.set(s, tcp);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`${l.name}: no connection within ${boundMs} ms`));
    }, boundMs);
    s.once(l.servername === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Writes `bytes` (each piece in turn), collects the answer until the server closes or `boundMs` passed. */
export async function exchange(l: Listener, bytes: (string | Buffer)[], boundMs = 5_000): Promise<RawResult> {
  const s = await connect(l);
  return collect(s, boundMs, () => {
    for (const b of bytes) s.write(typeof b === 'string' ? Buffer.from(b, 'latin1') : b);
  });
}

/** Collects what `s` receives until it closes or `boundMs` passed; `start` runs once listening. */
export function collect(s: net.Socket, boundMs: number, start: () => void = () => undefined): Promise<RawResult> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const done = (closed: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ text: Buffer.concat(parts).toString('latin1'), closed });
    };
    const timer = setTimeout(() => done(false), boundMs);
    s.on('data', (d: Buffer) => parts.push(d));
    // A reset is how a server may end a hostile client: an outcome, seen as closed.
    s.on('error', () => done(true));
    s.on('close', () => done(true));
    start();
  });
}

/** A deterministic generator (mulberry32), so a failing garbage case can be replayed. */
export const seeded = mulberry32;

// ---- HTTP/2 ----

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const enum Frame {
  DATA = 0x0,
  HEADERS = 0x1,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;

/** One frame: 24-bit length (taken from the payload unless `length` lies), type, flags, stream id. */
export function frame(
  type: number,
  flags: number,
  stream: number,
  payload: Buffer = Buffer.alloc(0),
  length = payload.length,
): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(length & 0xffffff, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

export function settings(pairs: [number, number][] = []): Buffer {
  const p = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, v], i) => {
    p.writeUInt16BE(id, i * 6);
    p.writeUInt32BE(v, i * 6 + 2);
  });
  return frame(Frame.SETTINGS, 0, 0, p);
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** An HPACK header block of literal fields without indexing and without Huffman (RFC 7541 §6.2.2). */
export function hpack(fields: [string, string][]): Buffer {
  const out: number[] = [];
  const str = (s: string) => {
    if (s.length >= 127) throw new Error('short strings only');
    out.push(s.length, ...Buffer.from(s, 'latin1'));
  };
  for (const [n, v] of fields) {
    out.push(0x00);
    str(n);
    str(v);
  }
  return Buffer.from(out);
}

/** A GET request's HEADERS frame on `stream` for `path` at `authority`. */
export function get(stream: number, authority: string, path: string, flags = END_STREAM | END_HEADERS): Buffer {
  const block = hpack([
    [':method', 'GET'],
    [':scheme', 'https'],
    [':authority', authority],
    [':path', path],
  ]);
  return frame(Frame.HEADERS, flags, stream, block);
}

export interface H2Seen {
  /** frame types received, in order */
  types: number[];
  /** the GOAWAY error code, when one came */
  goaway: number | null;
  /** streams that got a HEADERS frame (a response) */
  answered: Set<number>;
  closed: boolean;
}

/** A TLS connection that negotiated h2, writing `bytes` (preface included by the caller) and reading frames
 * until the server closes or `boundMs` passed. Throws when ALPN did not pick h2. */
export async function h2exchange(
  l: Listener,
  bytes: Buffer[] | ((s: net.Socket) => void),
  boundMs = 5_000,
): Promise<H2Seen> {
  const s = await connect(l, 'h2');
  if ((s as tls.TLSSocket).alpnProtocol !== 'h2') {
    s.destroy();
    throw new Error(`${l.name}: ALPN chose ${String((s as tls.TLSSocket).alpnProtocol)}, not h2`);
  }
  const seen: H2Seen = { types: [], goaway: null, answered: new Set(), closed: false };
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 9) {
      const len = buf.readUIntBE(0, 3);
      if (buf.length < 9 + len) break;
      const type = buf[3]! as Frame;
      const stream = buf.readUInt32BE(5) & 0x7fffffff;
      if (seen.types.length < 10_000) seen.types.push(type);
      if (type === Frame.GOAWAY && len >= 8) seen.goaway = buf.readUInt32BE(9 + 4);
      if (type === Frame.HEADERS) seen.answered.add(stream);
      buf = buf.subarray(9 + len);
    }
  });
  const r = await collect(s, boundMs, () => {
    // Writes to a server that already hung up are part of the case, not a test failure.
    s.on('error', () => undefined);
    if (typeof bytes === 'function') bytes(s);
    else for (const b of bytes) s.write(b);
  });
  seen.closed = r.closed;
  return seen;
}
