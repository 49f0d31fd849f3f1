// Ctrl-C and friends for long-running commands (up, run, logs -f). A repeat of the same signal within a
// short window counts once: bin/devmesh.js forwards signals to a re-executed Node 22, and a terminal's
// Ctrl-C reaches both it and us.
import type { Disposable } from '../core/base/disposable.js';

const DUPLICATE_WINDOW_MS = 300;

export class SignalTrap implements Disposable {
  private count = 0;
  private last: { signal: NodeJS.Signals; at: number } | null = null;
  private readonly installed: { signal: NodeJS.Signals; handler: () => void }[] = [];

  /** `onSignal(signal, n)` gets n = 1 for the first distinct signal, 2 for the next, and so on. */
  constructor(
    private readonly onSignal: (signal: NodeJS.Signals, count: number) => void,
    signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'],
  ) {
    for (const signal of signals) {
      const handler = (): void => this.handle(signal);
      process.on(signal, handler);
      this.installed.push({ signal, handler });
    }
  }

  dispose(): void {
    for (const { signal, handler } of this.installed.splice(0)) process.off(signal, handler);
  }

  private handle(signal: NodeJS.Signals): void {
    const now = Date.now();
    if (this.last && this.last.signal === signal && now - this.last.at < DUPLICATE_WINDOW_MS) return;
    this.last = { signal, at: now };
    this.onSignal(signal, ++this.count);
  }
}
