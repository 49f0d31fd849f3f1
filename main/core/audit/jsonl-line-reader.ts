// Reads a JSONL file line by line, synchronously, in fixed-size chunks: bounded memory however long the
// file is (one chunk plus the longest line), so verify can walk a mirror of millions of entries.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export class JsonlLineReader {
  private readonly fd: number | null;
  private readonly buffer: Buffer;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private lines: string[] = [];
  private index = 0;
  private eof = false;
  /** 1-based number of the last line returned */
  lineNumber = 0;

  /** a missing file reads as empty */
  constructor(path: string, chunkBytes = 1 << 20) {
    let fd: number | null = null;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.fd = fd;
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /** the next complete line, without its newline; a last line with no newline is returned too; null at the end */
  next(): string | null {
    while (this.index >= this.lines.length) {
      if (this.eof || this.fd === null) return null;
      this.fill();
    }
    this.lineNumber++;
    return this.lines[this.index++]!;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }

  private fill(): void {
    const n = readSync(this.fd!, this.buffer, 0, this.buffer.length, null);
    let text: string;
    if (n === 0) {
      this.eof = true;
      text = this.pending + this.decoder.end();
      this.lines = text.length > 0 ? [text] : [];
      this.pending = '';
    } else {
      text = this.pending + this.decoder.write(this.buffer.subarray(0, n));
      const parts = text.split('\n');
      this.pending = parts.pop()!;
      this.lines = parts;
    }
    this.index = 0;
  }
}
