// One view attached to a terminal session (a WebSocket stream, an IPC channel, a test): what it has been
// sent and not yet acknowledged. The session pauses its PTY while any viewer is above the high-water mark
// and resumes once all are below the low one; detaching releases the viewer's count.
import type { TerminalInfo } from '../../../shared/terminal.js';

export interface TerminalSink {
  /** output characters (whole characters: never a split UTF-8 sequence) */
  output(text: string): void;
  /** the session ended; no output follows */
  exit(info: TerminalInfo): void;
  /** what the transport holds queued but not yet sent (e.g. ws.bufferedAmount), counted as unacknowledged */
  backlog(): number;
}

export class TerminalViewer {
  private unacked = 0;
  private attached = true;

  constructor(
    readonly sink: TerminalSink,
    private readonly onPressureChange: () => void,
    private readonly onDetach: (viewer: TerminalViewer) => void,
  ) {}

  /** unacknowledged characters plus the transport's queued bytes */
  get pressure(): number {
    return this.unacked + this.sink.backlog();
  }

  get isAttached(): boolean {
    return this.attached;
  }

  send(text: string): void {
    if (!this.attached) return;
    this.unacked += text.length;
    this.sink.output(text);
  }

  /** `chars` more characters were rendered by the view */
  ack(chars: number): void {
    if (!this.attached) return;
    this.unacked = Math.max(0, this.unacked - chars);
    this.onPressureChange();
  }

  /** the transport drained some of its queue: flow may resume */
  drained(): void {
    if (this.attached) this.onPressureChange();
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.unacked = 0;
    this.onDetach(this);
  }
}
