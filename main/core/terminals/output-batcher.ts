// Turns a PTY's raw bytes into batches of whole characters: a StringDecoder keeps a multi-byte UTF-8
// character that straddles two reads until it is complete, and batches go out every `batchMs` or as soon
// as `batchBytes` are pending, so a flood crosses to the views in a few large frames, not thousands of
// small ones (TERMINAL_FLOW in shared/terminal.ts: ~5 ms or 64 KB). Output after a quiet spell or after a
// small batch (a keystroke's echo, however fast the typing) goes at once: batching starts once output comes
// in bulk.
import { StringDecoder } from 'node:string_decoder';

/** a batch this small is interactive output (an echo, a prompt): what follows it is not held back either */
const ECHO_BYTES = 256;

export interface OutputBatcherDeps {
  batchMs: number;
  batchBytes: number;
}

export class OutputBatcher {
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  private lastBatchBytes = 0;

  constructor(
    private readonly deps: OutputBatcherDeps,
    /** a batch: whole characters only, and the raw byte count it came from */
    private readonly onBatch: (text: string, bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    this.pendingBytes += chunk.length;
    if (text.length > 0) this.pending.push(text);
    if (this.pendingBytes >= this.deps.batchBytes) this.flush();
    else if (
      this.timer === null &&
      text.length > 0 &&
      (this.lastBatchBytes <= ECHO_BYTES || performance.now() - this.lastFlush >= this.deps.batchMs)
    )
      this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.deps.batchMs);
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    this.lastFlush = performance.now();
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    const bytes = this.pendingBytes;
    this.lastBatchBytes = bytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.onBatch(text, bytes);
  }

  /** The stream ended: a dangling partial character becomes U+FFFD, and what is pending goes out now. */
  end(): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.pending.push(rest);
    this.flush();
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
