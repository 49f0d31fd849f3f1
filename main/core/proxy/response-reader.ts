// Reads one target response at a time off the target connection for the fast path: collects the head
// (across reads if need be), passes interim 1xx heads on, frames the body, and spots the 101 that turns
// the connection into a tunnel. Body bytes come out as slices of the chunks that arrived.
import type { BodyFramer } from './body-framer.js';
import * as httpHeadParser from './http-head-parser.js';
import type { ResponseHead } from './http-head-parser.js';

export interface ResponseSink {
  /** a 1xx other than an accepted 101: pass on, a final response follows */
  onInterim(head: ResponseHead): void;
  /** the final head, with the body bytes that came in the same read (≤ 16 KB) so both leave in one write */
  onResponseHead(head: ResponseHead, framer: BodyFramer, first: Buffer | null): void;
  onResponseBody(slice: Buffer): void;
  /** the response is complete; `overrun` when the target sent bytes after it (the connection is out of step) */
  onResponseEnd(overrun: boolean): void;
  /** 101 to an upgrade request: from `rest` on, the bytes are the upgraded protocol's */
  onUpgrade(head: ResponseHead, rest: Buffer): void;
  onInvalid(why: string): void;
}

export class ResponseReader {
  private partial: Buffer | null = null;
  private framer: BodyFramer | null = null;

  constructor(
    private readonly maxHeaderBytes: number,
    private readonly sink: ResponseSink,
  ) {}

  /** Ready for the response to a new request. */
  reset(): void {
    this.partial = null;
    this.framer = null;
  }

  /** The body runs until the target closes the connection (no length, not chunked). */
  get untilClose(): boolean {
    return this.framer?.mode === 'until-close';
  }

  feed(chunk: Buffer, method: string, upgradeAsked: boolean): void {
    let buf = chunk;
    let head: ResponseHead | null = null;
    while (this.framer === null) {
      if (this.partial !== null) {
        buf = Buffer.concat([this.partial, buf]);
        this.partial = null;
      }
      const r = httpHeadParser.parseResponse(buf, this.maxHeaderBytes);
      if (r === null) {
        this.partial = buf;
        return;
      }
      if ('error' in r) return this.sink.onInvalid(`sent an invalid response (${r.error})`);
      const rest = buf.subarray(r.headEnd);
      if (r.status === 101 && upgradeAsked) return this.sink.onUpgrade(r, rest);
      if (r.status < 200) {
        // Interim response (100 Continue, 103 Early Hints): pass it on and read the final one.
        this.sink.onInterim(r);
        if (rest.length === 0) return;
        buf = rest;
        continue;
      }
      this.framer = httpHeadParser.responseFramer(r, method);
      head = r;
      buf = rest;
    }
    const framer = this.framer;
    let overrun = false;
    let body: Buffer | null = null;
    if (buf.length > 0) {
      const n = framer.consume(buf, 0);
      // A head not sent yet is never sent: the client gets a 502 instead of half a response.
      if (framer.error !== null) return this.sink.onInvalid(`sent a malformed body (${framer.error})`);
      if (n > 0) body = n === buf.length ? buf : buf.subarray(0, n);
      overrun = n < buf.length;
    }
    if (head !== null) {
      const joined = body !== null && body.length <= 16_384;
      this.sink.onResponseHead(head, framer, joined ? body : null);
      if (!joined && body !== null) this.sink.onResponseBody(body);
    } else if (body !== null) this.sink.onResponseBody(body);
    if (framer.done) this.sink.onResponseEnd(overrun);
  }
}
