// Finds where an HTTP/1.1 message body ends without copying it: counts Content-Length bytes or walks
// chunked framing (sizes, CRLFs, trailers) so body bytes can be passed through as untouched slices.
export type BodyMode = 'none' | 'length' | 'chunked' | 'until-close';

const enum Chunk {
  Size,
  Ext,
  Data,
  DataEnd,
  Trailer,
}

/** Chunk-size lines and trailer lines longer than this are an attack or garbage, not HTTP. */
const MAX_LINE = 8 * 1024;

export class BodyFramer {
  done: boolean;
  /** set when chunked framing is broken; the message cannot be framed and the connection must close */
  error: string | null = null;
  private remaining: number;
  private state = Chunk.Size;
  private chunkSize = 0;
  private digits = 0;
  private lineLen = 0;

  constructor(
    readonly mode: BodyMode,
    length = 0,
  ) {
    this.remaining = length;
    this.done = mode === 'none' || (mode === 'length' && length === 0);
  }

  /** How many bytes of `buf` from `start` belong to this body; sets `done` when the body ended in them. */
  consume(buf: Buffer, start: number): number {
    if (this.done) return 0;
    const avail = buf.length - start;
    if (this.mode === 'until-close') return avail;
    if (this.mode === 'length') {
      const n = avail < this.remaining ? avail : this.remaining;
      this.remaining -= n;
      if (this.remaining === 0) this.done = true;
      return n;
    }
    return this.consumeChunked(buf, start) - start;
  }

  private consumeChunked(buf: Buffer, start: number): number {
    let i = start;
    const end = buf.length;
    while (i < end && !this.done && this.error === null) {
      switch (this.state) {
        case Chunk.Data: {
          const n = Math.min(end - i, this.chunkSize);
          i += n;
          this.chunkSize -= n;
          if (this.chunkSize === 0) {
            this.state = Chunk.DataEnd;
            this.lineLen = 0;
          }
          break;
        }
        case Chunk.DataEnd: {
          const c = buf[i++]!;
          if (c === 0x0a) this.startSizeLine();
          else if (c !== 0x0d || ++this.lineLen > 1) this.error = 'missing CRLF after a chunk';
          break;
        }
        case Chunk.Size:
        case Chunk.Ext: {
          const c = buf[i++]!;
          if (++this.lineLen > MAX_LINE) this.error = 'chunk-size line too long';
          else if (c === 0x0a) this.endSizeLine();
          else if (this.state === Chunk.Ext || c === 0x0d) continue;
          else if (c === 0x3b || c === 0x20 || c === 0x09) this.state = Chunk.Ext;
          else {
            const v = BodyFramer.hex(c);
            if (v < 0 || this.digits >= 12) this.error = 'bad chunk size';
            else {
              this.chunkSize = this.chunkSize * 16 + v;
              this.digits++;
            }
          }
          break;
        }
        case Chunk.Trailer: {
          const c = buf[i++]!;
          if (c === 0x0a) {
            if (this.lineLen === 0) this.done = true;
            this.lineLen = 0;
          } else if (c !== 0x0d && ++this.lineLen > MAX_LINE) this.error = 'trailer line too long';
          break;
        }
      }
    }
    return i;
  }

  private startSizeLine(): void {
    this.state = Chunk.Size;
    this.chunkSize = 0;
    this.digits = 0;
    this.lineLen = 0;
  }

  private endSizeLine(): void {
    if (this.digits === 0) {
      this.error = 'empty chunk size';
      return;
    }
    this.lineLen = 0;
    this.state = this.chunkSize === 0 ? Chunk.Trailer : Chunk.Data;
  }

  private static hex(c: number): number {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    if (c >= 0x61 && c <= 0x66) return c - 0x57;
    if (c >= 0x41 && c <= 0x46) return c - 0x37;
    return -1;
  }
}
