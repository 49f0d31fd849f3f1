// Records one terminal session to an asciicast v2 file (the asciinema format: a JSON header line, then one
// `[seconds, "o", data]` line per output batch and `[seconds, "r", "COLSxROWS"]` per resize). Each event is
// appended as it happens, so memory stays flat however long the session runs; the file is closed on exit.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface AsciicastHeaderInput {
  id: string;
  terminalId: string;
  name: string;
  command: string;
  cols: number;
  rows: number;
  env: Record<string, string | undefined>;
}

export class AsciicastRecorder {
  private fd: number | null;
  private readonly startedAt = performance.now();
  private failed: string | null = null;

  private constructor(
    readonly id: string,
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static open(dir: string, input: AsciicastHeaderInput): AsciicastRecorder {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${input.id}.cast`);
    const fd = openSync(path, 'w', 0o600);
    const recorder = new AsciicastRecorder(input.id, path, fd);
    const header = {
      version: 2,
      width: input.cols,
      height: input.rows,
      timestamp: Math.floor(Date.now() / 1000),
      command: input.command,
      title: input.name,
      env: { TERM: input.env.TERM ?? 'xterm-256color', SHELL: input.env.SHELL ?? '/bin/sh' },
      // Extra keys are ignored by asciinema's players; the store reads them to list recordings.
      devmesh: { terminalId: input.terminalId, name: input.name, startedAt: Date.now() },
    };
    recorder.writeLine(JSON.stringify(header));
    return recorder;
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** why recording stopped early (a full disk), or null */
  get error(): string | null {
    return this.failed;
  }

  output(text: string): void {
    if (text.length > 0) this.event('o', text);
  }

  resize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`);
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  private event(code: 'o' | 'r', data: string): void {
    const t = (performance.now() - this.startedAt) / 1000;
    this.writeLine(`[${t.toFixed(6)}, ${JSON.stringify(code)}, ${JSON.stringify(data)}]`);
  }

  // Synchronous appends of at most one batch (64 KB): bounded memory, and the file is always whole lines.
  private writeLine(line: string): void {
    if (this.fd === null) return;
    try {
      const buf = Buffer.from(`${line}\n`, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (err) {
      // A recording must never take the terminal down: stop recording and say why.
      this.failed = `recording ${this.path} stopped: ${(err as Error).message}`;
      this.close();
    }
  }
}
