// Exact byte counts of one exchange on the slow path, where Node's HTTP servers own the connection and a
// connection's own counters span every request on it (and, for HTTP/2, are gone once the stream closed).
// HTTP/1.x: the bytes written to the connection while this response owned it. HTTP/2: the response's
// header lists sized as HTTP/2 sizes them (RFC 9113 §6.5.2: name + value + 32 octets per field) plus the
// DATA bytes written to its stream. Bytes in: the request body as it is forwarded, for both.
import type http from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import type { ProxyExchange } from './proxy-exchange.js';

type Headers = IncomingHttpHeaders | OutgoingHttpHeaders | undefined;

/**
 * Counts `req`'s body into `ex.bytesIn` from now on. Only once it is being forwarded: a 'data' listener
 * starts the flow, and bytes that flowed before the proxy piped the request on would be lost to it.
 */
export function countBody(req: http.IncomingMessage | Http2ServerRequest, ex: ProxyExchange): void {
  req.on('data', (d: Buffer) => (ex.bytesIn += d.length));
}

/** The returned function sets `ex.bytesOut` once the response closed. */
export function attach(
  req: http.IncomingMessage | Http2ServerRequest,
  res: http.ServerResponse | Http2ServerResponse,
  ex: ProxyExchange,
): () => void {
  if ('stream' in res) return stream(res.stream, ex);
  // Node queues the response of a pipelined request until the one before it finished: its share of
  // the connection starts when the socket is assigned to it.
  let mark = res.socket === null ? -1 : (res.socket.bytesWritten ?? 0);
  if (mark < 0) res.once('socket', (s: { bytesWritten?: number }) => (mark = s.bytesWritten ?? 0));
  return () => {
    const written = res.socket?.bytesWritten ?? req.socket?.bytesWritten;
    ex.bytesOut = mark < 0 || written === undefined ? 0 : Math.max(0, written - mark);
  };
}

/** HTTP/2 header list size (RFC 9113 §6.5.2) of `headers`. */
export function headerListSize(headers: Headers): number {
  if (headers === undefined) return 0;
  let n = 0;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) n += name.length + Buffer.byteLength(String(v)) + 32;
    else n += name.length + Buffer.byteLength(String(value)) + 32;
  }
  return n;
}

function stream(stream: ServerHttp2Stream, ex: ProxyExchange): () => void {
  let data = 0;
  const write = stream.write;
  // A write after the stream's writable side ended (HEAD, 204, 304, a reset) sends nothing: not counted.
  stream.write = function (this: ServerHttp2Stream, chunk: unknown, ...rest: unknown[]): boolean {
    if (!this.writableEnded && !this.destroyed) data += size(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
  const end = stream.end;
  stream.end = function (this: ServerHttp2Stream, chunk?: unknown, ...rest: unknown[]): ServerHttp2Stream {
    const sent = typeof chunk !== 'function' && chunk != null && !this.writableEnded && !this.destroyed;
    if (sent) data += size(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerHttp2Stream).call(this, chunk, ...rest);
  } as typeof stream.end;
  return () => {
    let head = headerListSize(stream.sentHeaders) + headerListSize(stream.sentTrailers);
    for (const info of stream.sentInfoHeaders ?? []) head += headerListSize(info);
    ex.bytesOut = head + data;
  };
}

function size(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}
