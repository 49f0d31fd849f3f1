// Turns the router's version mismatches into stored alerts without a database write per request: the first
// occurrence of a mismatch is raised at once (the faces hear of it immediately), later ones within a second
// are counted and written as one batch. Nothing is lost on shutdown: flush() writes what is pending.
// While the store fails (a full disk) occurrences are kept, counted, and written with the next window
// (see VERSION_ALERT_RULE); nothing throws into the router or the timer.
import type { StoreGuard } from '../health/store-guard.js';
import { countText } from '../base/count-text.js';
import type { MismatchReport } from '../proxy/route-chooser.js';
import type { VersionAlertInput, VersionAlertStore } from './version-alert-store.js';

export const MISMATCH_BATCH_MS = 1000;
/** distinct mismatches kept while the store fails; more are dropped and counted */
export const MISMATCHES_KEPT = 1000;
export const VERSION_ALERT_RULE =
  'requests are still routed (or refused) by their version ranges; alerts wait in memory, counted, ' +
  `(at most ${countText(MISMATCHES_KEPT)} distinct ones) and are stored and raised with the next one-second window ` +
  'once the store accepts writes';

export class MismatchRecorder {
  private readonly pending = new Map<string, { input: VersionAlertInput; times: number }>();
  /** occurrences the store refused, written with the next window */
  private readonly unstored = new Map<string, { input: VersionAlertInput; times: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Pick<VersionAlertStore, 'raise'>,
    private readonly guard: StoreGuard,
  ) {}

  record(r: MismatchReport): void {
    const input: VersionAlertInput = {
      caller: { project: r.caller.project, service: r.caller.service, version: r.caller.version },
      dependency: r.dependency,
      range: r.range,
      instance: {
        agent: r.instance.agentName,
        agentId: r.instance.agentId,
        local: r.instance.local,
        project: r.instance.project,
        service: r.instance.service,
        version: r.instance.version,
      },
      action: r.action,
    };
    const key = JSON.stringify([
      input.caller.project,
      input.caller.service,
      input.dependency,
      input.range,
      input.instance.agentId,
      input.instance.version,
      input.action,
    ]);
    const batch = this.pending.get(key);
    if (batch !== undefined) {
      batch.times++;
      return;
    }
    // First in this window: written now, and the window opens for the ones that follow.
    this.write(key, input, 1);
    this.pending.set(key, { input, times: 0 });
    this.schedule();
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.unstored.entries(), ...this.pending.entries()];
    this.pending.clear();
    this.unstored.clear();
    for (const [key, b] of batches) if (b.times > 0) this.write(key, b.input, b.times);
    if (this.unstored.size > 0) this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), MISMATCH_BATCH_MS);
    this.timer.unref();
  }

  private write(key: string, input: VersionAlertInput, times: number): void {
    if (this.guard.background(() => this.store.raise(input, times))) return;
    const kept = this.unstored.get(key);
    if (kept !== undefined) kept.times += times;
    else if (this.unstored.size < MISMATCHES_KEPT) this.unstored.set(key, { input, times });
    else this.guard.dropped(times);
  }
}
