// The seam where a socket's events, a timer or a promise callback enter the proxy's code: whatever that
// code throws is handed to `onFault`, which ends the one exchange it belongs to, and never reaches the
// event loop, where it would take the daemon down with every service, terminal and agent in it.
import type { EventEmitter } from 'node:events';

export type Listener = (arg: Buffer & Error) => void;

export class ContainedListeners {
  private readonly bound: [string, Listener][];

  constructor(
    private readonly emitter: EventEmitter,
    listeners: Record<string, Listener>,
    private readonly onFault: (err: unknown) => void,
  ) {
    this.bound = Object.entries(listeners).map(([event, fn]) => [event, (arg) => this.run(() => fn(arg))]);
    for (const [event, fn] of this.bound) emitter.on(event, fn);
  }

  /** Runs `fn` at the seam: what it throws goes to onFault. */
  run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onFault(err);
    }
  }

  /** The emitter is handed to another owner: these listeners come off. */
  detach(): void {
    for (const [event, fn] of this.bound) this.emitter.removeListener(event, fn);
  }
}
