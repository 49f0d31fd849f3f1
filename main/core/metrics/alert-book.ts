// The leak and spin alerts: raised when a detector says so, cleared when it stops saying so, each change
// told once (`onChange`). Shown, never acted on: nothing here stops or restarts anything. Kept in memory:
// the active ones, and the last MAX_CLEARED that cleared.
import { randomBytes } from 'node:crypto';
import type { MetricsAlert, ProcessUsage } from '../../../shared/metrics.js';

const MAX_CLEARED = 200;

export type AlertKind = MetricsAlert['kind'];

export interface AlertFinding {
  message: string;
  evidence: Record<string, number>;
}

export class AlertBook {
  private readonly active = new Map<string, MetricsAlert>();
  private readonly cleared: MetricsAlert[] = [];

  constructor(private readonly onChange: (alert: MetricsAlert) => void) {}

  /** The detector's verdict for one process: raises (or refreshes the evidence of) or clears its alert. */
  judge(
    target: Pick<ProcessUsage, 'key' | 'name' | 'project'>,
    kind: AlertKind,
    finding: AlertFinding | null,
    now: number,
  ): void {
    const id = `${kind}:${target.key}`;
    const current = this.active.get(id);
    if (finding !== null) {
      if (current) {
        current.message = finding.message; // the figures move on; the alert is the same one
        current.evidence = finding.evidence;
        return;
      }
      const alert: MetricsAlert = {
        id: `${kind}-${randomBytes(4).toString('hex')}`,
        key: target.key,
        kind,
        name: target.name,
        project: target.project,
        state: 'active',
        since: now,
        clearedAt: null,
        message: finding.message,
        evidence: finding.evidence,
      };
      this.active.set(id, alert);
      this.onChange({ ...alert });
      return;
    }
    if (current) this.clear(id, current, now);
  }

  /** A process no longer measured (stopped, closed) has no alert left. */
  forget(keep: ReadonlySet<string>, now: number): void {
    for (const [id, alert] of this.active) if (!keep.has(alert.key)) this.clear(id, alert, now);
  }

  list(all = false, limit = 100): MetricsAlert[] {
    const active = [...this.active.values()].sort((a, b) => b.since - a.since);
    const shown = all ? [...active, ...[...this.cleared].reverse()] : active;
    return shown.slice(0, limit).map((a) => ({ ...a, evidence: { ...a.evidence } }));
  }

  activeFor(key: string): MetricsAlert[] {
    return [...this.active.values()].filter((a) => a.key === key);
  }

  private clear(id: string, alert: MetricsAlert, now: number): void {
    this.active.delete(id);
    const done: MetricsAlert = { ...alert, state: 'cleared', clearedAt: now };
    this.cleared.push(done);
    if (this.cleared.length > MAX_CLEARED) this.cleared.shift();
    this.onChange({ ...done });
  }
}
