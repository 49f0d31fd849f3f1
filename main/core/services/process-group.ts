// The process group of one run of a service (the shell DevMesh spawned leads it), stopped the way the
// service asks: its stop signal to every process of the group, the full stop_timeout, then SIGKILL to what
// is left. The shell may end first: Debian's sh (dash) stays the parent of `node server.mjs` and dies on
// SIGTERM at once while node still cleans up; the run ends when the last process of the group has.
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';
import type { ProcessInspector } from './process-inspector.js';

export interface ProcessGroupDeps {
  inspector: ProcessInspector;
  logger: Logger;
  /** a line for the service's log */
  note: (text: string) => void;
}

export interface StopSettings {
  signal: NodeJS.Signals;
  timeoutMs: number;
}

/** How often a stopping group is looked at, and how long SIGKILLed processes get to be gone. */
const POLL_MS = 50;
const KILLED_GRACE_MS = 5000;

export class ProcessGroup implements Disposable {
  private killTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly pgid: number,
    private readonly deps: ProcessGroupDeps,
  ) {}

  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pgid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH')
        this.deps.logger.warn({ err: (err as Error).message, signal }, 'signal failed');
    }
  }

  /** The stop signal now; SIGKILL to whatever still runs once the timeout has passed (`onKill` first). */
  stop(settings: StopSettings, onKill?: () => void): void {
    this.signal(settings.signal);
    if (this.killTimer) return;
    this.killTimer = setTimeout(() => {
      this.killTimer = null;
      if (!this.deps.inspector.isGroupAlive(this.pgid)) return;
      this.deps.note(`still running ${settings.timeoutMs} ms after ${settings.signal}: sending SIGKILL`);
      onKill?.();
      this.signal('SIGKILL');
    }, settings.timeoutMs);
  }

  /**
   * Resolves once no process of the group runs any more; call it when the shell has exited. Outside a stop
   * (`stopping` false), processes the shell left behind are stopped like a stop would, so a restart never
   * meets the old run. Bounded: a process stuck in the kernel may outlive even SIGKILL for a while.
   */
  async ended(settings: StopSettings, stopping: boolean): Promise<void> {
    const inspector = this.deps.inspector;
    if (!inspector.isGroupAlive(this.pgid)) return;
    if (!stopping) {
      this.deps.note(`its shell ended; stopping what is left of its process group with ${settings.signal}`);
      this.stop(settings);
    }
    const deadline = Date.now() + settings.timeoutMs + KILLED_GRACE_MS;
    while (inspector.isGroupAlive(this.pgid)) {
      if (Date.now() > deadline) {
        this.deps.logger.warn(
          { pgid: this.pgid },
          'processes of the service outlived SIGKILL; no longer waiting for them',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  dispose(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
  }
}
