// A bounded in-memory ring of a service's most recent log lines: the fast tail for crash reasons and
// late viewers, whatever the store's state.
import type { LogLine } from '../../../shared/service.js';

export class LogRing {
  private readonly items: (LogLine | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 1000) {
    this.items = new Array<LogLine | undefined>(capacity);
  }

  push(line: LogLine): void {
    this.items[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The newest `count` lines, oldest first. */
  tail(count = this.size): LogLine[] {
    const n = Math.min(count, this.size);
    const out: LogLine[] = [];
    for (let i = n; i > 0; i--) out.push(this.items[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }

  get length(): number {
    return this.size;
  }
}
