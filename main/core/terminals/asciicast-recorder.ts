// Records one terminal session to an asciicast v2 file (the asciinema format: a JSON header line, then one
// `[seconds, "o", data]` line per output batch and `[seconds, "r", "COLSxROWS"]` per resize). Each event is
// appended as it happens, so memory stays flat however long the session runs; the file is closed on exit.
// A recording stops at `maxBytes` with a last line saying so (a flooding terminal would otherwise fill the
// disk), and on a write failure (a full disk), which `onFailed` reports; the terminal itself never notices.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDING_MAX_BYTES } from '../../../shared/terminal.js';

export interface AsciicastHeaderInput {
  id: string;
  terminalId: string;
  name: string;
  command: string;
  cols: number;
  rows: number;
  env: Record<string, string | undefined>;
}

export interface AsciicastRecorderDeps {
  /** default RECORDING_MAX_BYTES */
  maxBytes?: number;
  /** a write failed (the disk is full): the recording has stopped */
  onFailed?: (err: unknown, path: string) => void;
}

export class AsciicastRecorder {
  private fd: number | null;
  private readonly startedAt = performance.now();
  private failed: string | null = null;
  private stopped: string | null = null;
  private bytes = 0;

  private constructor(
    readonly id: string,
    readonly path: string,
    fd: number,
    private readonly deps: AsciicastRecorderDeps,
  ) {
    this.fd = fd;
  }

  /** Opens the file and writes its header; throws when the file cannot be created (the caller reports it). */
  static open(dir: string, input: AsciicastHeaderInput, deps: AsciicastRecorderDeps = {}): AsciicastRecorder {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${input.id}.cast`);
    const fd = openSync(path, 'w', 0o600);
    const recorder = new AsciicastRecorder(input.id, path, fd, deps);
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

  /** why the recording stopped before the session ended (a full disk, the size cap), or null */
  get note(): string | null {
    return this.failed ?? this.stopped;
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
    const max = this.deps.maxBytes ?? RECORDING_MAX_BYTES;
    let buf = Buffer.from(`${line}\n`, 'utf8');
    const capped = this.bytes + buf.length > max;
    if (capped) {
      const mb = (max / 1024 / 1024).toFixed(0);
      this.stopped = `the recording stopped at its ${mb} MB cap (the terminal ran on); ${this.path} keeps the first ${mb} MB`;
      const t = ((performance.now() - this.startedAt) / 1000).toFixed(6);
      buf = Buffer.from(`[${t}, "o", ${JSON.stringify(`\r\n[DevMesh: recording stopped at its ${mb} MB cap]\r\n`)}]\n`);
    }
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off);
      this.bytes += buf.length;
    } catch (err) {
      // A recording must never take the terminal down: stop recording and say why.
      this.failed = `the recording stopped: ${(err as Error).message} (${this.path} keeps what was written before)`;
      this.close();
      this.deps.onFailed?.(err, this.path);
      return;
    }
    if (capped) this.close();
  }
}
