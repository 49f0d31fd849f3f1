// Turns a process's output chunks into lines: UTF-8 decoded safely across chunk edges, \r\n and \n
// endings, and lines longer than a bound cut into pieces so a runaway line cannot grow memory.
import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_CHARS = 16 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    while (this.partial.length > MAX_LINE_CHARS) {
      this.onLine(this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
  }

  /** Emits what is left (a last line without a newline) at the end of the stream. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let i = 0; i < clean.length; i += MAX_LINE_CHARS) this.onLine(clean.slice(i, i + MAX_LINE_CHARS));
    if (clean.length === 0) this.onLine('');
  }
}
