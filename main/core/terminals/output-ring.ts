// The bounded memory of a terminal's output: what a view that attaches later is shown (replayed) before the
// live stream. Holds whole decoded batches (never a split character); when over its byte budget it drops the
// oldest batches and, if a line starts soon after the cut, trims to that line start so the replay does not
// begin in the middle of a line (or an escape sequence, most of the time).

/** how far past the cut a line start is looked for */
const LINE_START_WINDOW = 4096;

export class OutputRing {
  private chunks: string[] = [];
  private head = 0;
  private bytes = 0;
  private sizes: number[] = [];

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.bytes;
  }

  append(data: string): void {
    if (data.length === 0) return;
    const size = Buffer.byteLength(data, 'utf8');
    this.chunks.push(data);
    this.sizes.push(size);
    this.bytes += size;
    if (this.bytes > this.maxBytes) this.cut();
  }

  /** everything kept, oldest first */
  snapshot(): string {
    return this.chunks.slice(this.head).join('');
  }

  /** the kept output as pieces of at most `maxChars` characters, never splitting a surrogate pair */
  *pieces(maxChars: number): Generator<string> {
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      let at = 0;
      while (at < chunk.length) {
        let end = Math.min(chunk.length, at + maxChars);
        if (end < chunk.length && OutputRing.isHighSurrogate(chunk.charCodeAt(end - 1))) end--;
        yield chunk.slice(at, end);
        at = end;
      }
    }
  }

  clear(): void {
    this.chunks = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }

  private cut(): void {
    let dropped = '';
    while (this.bytes > this.maxBytes && this.head < this.chunks.length - 1) {
      dropped = this.chunks[this.head]!;
      this.bytes -= this.sizes[this.head]!;
      // Let go of the dropped text now: a slot left holding it keeps up to 64 KB alive per batch until the
      // next compaction, megabytes per flooding session.
      this.chunks[this.head] = '';
      this.head++;
    }
    const first = this.chunks[this.head]!;
    let at = this.bytes > this.maxBytes ? OutputRing.charsForBytes(first, this.bytes - this.maxBytes) : 0;
    const cutAtLineStart = at === 0 ? dropped.endsWith('\n') : first.charCodeAt(at - 1) === 10;
    if (!cutAtLineStart) {
      const nl = first.indexOf('\n', at);
      if (nl !== -1 && nl - at < LINE_START_WINDOW) at = nl + 1;
    }
    if (at > 0) {
      if (at < first.length && OutputRing.isLowSurrogate(first.charCodeAt(at))) at++;
      const rest = first.slice(at);
      const restBytes = Buffer.byteLength(rest, 'utf8');
      this.bytes -= this.sizes[this.head]! - restBytes;
      this.chunks[this.head] = rest;
      this.sizes[this.head] = restBytes;
    }
    // Compact now and then so the dropped batches' slots do not grow the arrays without bound.
    if (this.head > 256 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  private static charsForBytes(text: string, bytes: number): number {
    let gone = 0;
    let i = 0;
    while (i < text.length && gone < bytes) {
      const c = text.charCodeAt(i);
      if (c < 0x80) gone += 1;
      else if (c < 0x800) gone += 2;
      else if (OutputRing.isHighSurrogate(c) && i + 1 < text.length) {
        gone += 4;
        i++;
      } else gone += 3;
      i++;
    }
    return i;
  }

  private static isHighSurrogate(c: number): boolean {
    return c >= 0xd800 && c <= 0xdbff;
  }

  private static isLowSurrogate(c: number): boolean {
    return c >= 0xdc00 && c <= 0xdfff;
  }
}
