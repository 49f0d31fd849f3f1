// Read control for a client connection: the socket is paused while any reason holds (the target's buffer
// is full, or a request is queued behind the current exchange) and resumed only when none is left;
// plus the deadline for a request head to arrive complete (slowloris).
import type { Socket } from 'node:net';

export class ClientFlow {
  /** the target connection cannot take more bytes yet */
  static readonly DRAIN = 1;
  /** bytes of a next request (or a held one) wait until the current exchange is done */
  static readonly QUEUE = 2;
  private holds = 0;
  private stopped = false;
  private headTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly headTimeoutMs: number,
    private readonly onHeadTimeout: () => void,
  ) {}

  hold(reason: number): void {
    if (this.holds === 0) this.socket.pause();
    this.holds |= reason;
  }

  release(reason: number): void {
    if ((this.holds & reason) === 0) return;
    this.holds &= ~reason;
    if (this.holds === 0 && !this.stopped) this.socket.resume();
  }

  /** The connection is finished: never resume it, drop the deadline. */
  stop(): void {
    this.stopped = true;
    this.clearHeadDeadline();
  }

  /** Starts the head deadline unless it already runs (a head arrived in part, or the connection is new). */
  armHeadDeadline(): void {
    if (this.headTimer !== null || this.stopped) return;
    this.headTimer = setTimeout(() => {
      this.headTimer = null;
      this.onHeadTimeout();
    }, this.headTimeoutMs);
  }

  clearHeadDeadline(): void {
    if (this.headTimer === null) return;
    clearTimeout(this.headTimer);
    this.headTimer = null;
  }
}
