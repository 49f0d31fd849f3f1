// Turns the router's version mismatches into stored alerts without a database write per request: the first
// occurrence of a mismatch is raised at once (the faces hear of it immediately), later ones within a second
// are counted and written as one batch. Nothing is lost on shutdown: flush() writes what is pending.
import type { Logger } from 'pino';
import type { MismatchReport } from '../proxy/route-chooser.js';
import type { VersionAlertInput, VersionAlertStore } from './version-alert-store.js';

export const MISMATCH_BATCH_MS = 1000;

export class MismatchRecorder {
  private readonly pending = new Map<string, { input: VersionAlertInput; times: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Pick<VersionAlertStore, 'raise'>,
    private readonly logger: Logger,
  ) {}

  record(r: MismatchReport): void {
    const input: VersionAlertInput = {
      caller: { project: r.caller.project, service: r.caller.service, version: r.caller.version },
      dependency: r.dependency,
      range: r.range,
      instance: { agent: r.instance.agentName, agentId: r.instance.agentId, local: r.instance.local, project: r.instance.project, service: r.instance.service, version: r.instance.version },
      action: r.action,
    };
    const key = JSON.stringify([input.caller.project, input.caller.service, input.dependency, input.range, input.instance.agentId, input.instance.version, input.action]);
    const batch = this.pending.get(key);
    if (batch !== undefined) {
      batch.times++;
      return;
    }
    // First in this window: written now, and the window opens for the ones that follow.
    this.write(input, 1);
    this.pending.set(key, { input, times: 0 });
    this.timer ??= setTimeout(() => this.flush(), MISMATCH_BATCH_MS);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const b of batches) if (b.times > 0) this.write(b.input, b.times);
  }

  private write(input: VersionAlertInput, times: number): void {
    try {
      this.store.raise(input, times);
    } catch (err) {
      this.logger.warn({ domain: 'mesh', err: (err as Error).message }, 'could not store a version alert');
    }
  }
}
