// Finds where an HTTP/1.1 message body ends without copying it: counts Content-Length bytes or walks
// chunked framing (sizes, CRLFs, trailers) so body bytes can be passed through as untouched slices.
// Strict (RFC 9112 §7.1): every line ends in CRLF, no bare CR or LF, whitespace after a size only before
// an extension, no control characters: a lenient reading here and a strict one behind would smuggle.
export type BodyMode = 'none' | 'length' | 'chunked' | 'until-close';

const enum Chunk {
  Size,
  /** whitespace after the size: only a `;` may follow (BWS before a chunk extension) */
  SizeWs,
  Ext,
  /** a CR ended the size line: only LF may follow */
  SizeLf,
  Data,
  DataEnd,
  Trailer,
  TrailerLf,
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
          // exactly CRLF after the data (RFC 9112 §7.1): a bare LF or anything else is a framing error
          const c = buf[i++]!;
          if (this.lineLen === 0 && c === 0x0d) this.lineLen = 1;
          else if (this.lineLen === 1 && c === 0x0a) this.startSizeLine();
          else this.error = 'missing CRLF after a chunk';
          break;
        }
        case Chunk.Size:
        case Chunk.SizeWs:
        case Chunk.Ext:
          if (++this.lineLen > MAX_LINE) this.error = 'chunk-size line too long';
          else this.sizeLine(buf[i++]!);
          break;
        case Chunk.SizeLf:
          // `0\r5` is no size 5: a CR that does not end the line is a framing error (RFC 9112 §2.2)
          if (buf[i++] !== 0x0a) this.error = 'bare CR in a chunk-size line';
          else this.endSizeLine();
          break;
        case Chunk.Trailer: {
          const c = buf[i++]!;
          if (c === 0x0d) this.state = Chunk.TrailerLf;
          else if (c === 0x0a) this.error = 'bare LF in a trailer line';
          else if (c !== 0x09 && BodyFramer.ctl(c)) this.error = 'control character in a trailer line';
          else if (++this.lineLen > MAX_LINE) this.error = 'trailer line too long';
          break;
        }
        case Chunk.TrailerLf: {
          const c = buf[i++]!;
          if (c !== 0x0a) this.error = 'bare CR in a trailer line';
          else if (this.lineLen === 0) this.done = true;
          else {
            this.lineLen = 0;
            this.state = Chunk.Trailer;
          }
          break;
        }
      }
    }
    return i;
  }

  /** One byte of `chunk-size [ BWS ; chunk-ext ] CRLF`: hex digits, then optional whitespace only before `;`. */
  private sizeLine(c: number): void {
    if (c === 0x0d) {
      if (this.digits === 0) this.error = 'empty chunk size';
      else if (this.state === Chunk.SizeWs) this.error = 'whitespace after the chunk size';
      else this.state = Chunk.SizeLf;
    } else if (c === 0x0a) this.error = 'bare LF in a chunk-size line';
    else if (this.state === Chunk.Ext) {
      if (c !== 0x09 && BodyFramer.ctl(c)) this.error = 'control character in a chunk extension';
    } else if (c === 0x3b /* ; */ && this.digits > 0) this.state = Chunk.Ext;
    else if ((c === 0x20 || c === 0x09) && this.digits > 0) this.state = Chunk.SizeWs;
    else if (this.state === Chunk.SizeWs) this.error = 'whitespace after the chunk size';
    else {
      const v = BodyFramer.hex(c);
      if (v < 0 || this.digits >= 12) this.error = 'bad chunk size';
      else {
        this.chunkSize = this.chunkSize * 16 + v;
        this.digits++;
      }
    }
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

  /** CTL characters (0x00-0x1F, 0x7F): never inside a chunk line or a trailer, HTAB aside */
  private static ctl(c: number): boolean {
    return c < 0x20 || c === 0x7f;
  }

  private static hex(c: number): number {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    if (c >= 0x61 && c <= 0x66) return c - 0x57;
    if (c >= 0x41 && c <= 0x46) return c - 0x37;
    return -1;
  }
}
