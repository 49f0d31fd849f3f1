// Run to completion for a state machine driven from outside: one input at a time, and what it has to tell
// (events for listeners) waits until the input is over, so a listener that calls back in sees a settled
// state and never re-enters a half-done step. An input made from inside another joins it.

export class ProtocolTurns {
  private depth = 0;
  private readonly outbox: Array<() => void> = [];

  /** fires `event` once the current input is over */
  later(event: () => void): void {
    this.outbox.push(event);
  }

  /** runs one input; events fire after it */
  run(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
    }
    if (this.depth === 0) while (this.outbox.length > 0) this.outbox.shift()!();
  }
}
