// Watches one run of a service: probes quickly while it starts, then at the check's interval; reports
// healthy on the first passing probe, unhealthy after `retries` failures in a row (or when it never
// passed within start_timeout), and healthy again when it recovers. No check declared: healthy once the
// process has stayed up for a short grace period.
import type { HealthCheckConfig } from '../config/project-config.js';
import type { Disposable } from '../base/disposable.js';
import { HealthProbe } from './health-probe.js';

export interface HealthMonitorListener {
  healthy(detail: string): void;
  unhealthy(detail: string): void;
}

const STARTING_PROBE_MS = 200;

export class HealthMonitor implements Disposable {
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;
  private status: 'starting' | 'healthy' | 'unhealthy' = 'starting';
  private failures = 0;
  private readonly deadline: number;
  private readonly probe: HealthProbe | null;

  constructor(
    private readonly check: HealthCheckConfig,
    private readonly port: number | null,
    probeEnv: { cwd: string; env: NodeJS.ProcessEnv },
    private readonly listener: HealthMonitorListener,
  ) {
    this.deadline = Date.now() + (check.kind === 'none' ? 0 : check.startTimeoutMs);
    this.probe = check.kind === 'none' ? null : new HealthProbe(check, probeEnv.cwd, probeEnv.env);
  }

  start(): void {
    if (this.check.kind === 'none') {
      this.timer = setTimeout(() => {
        if (!this.disposed)
          this.listener.healthy(
            `up for ${this.check.kind === 'none' ? this.check.graceMs : 0} ms (no health check declared)`,
          );
      }, this.check.graceMs);
      return;
    }
    this.schedule(STARTING_PROBE_MS);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.probe?.dispose();
  }

  private schedule(ms: number): void {
    if (this.disposed) return;
    this.timer = setTimeout(() => void this.probeOnce(), ms);
  }

  private async probeOnce(): Promise<void> {
    if (this.check.kind === 'none' || !this.probe) return;
    const outcome = await this.probe.run(this.port);
    if (this.disposed) return;
    const interval = this.check.intervalMs;
    if (outcome.ok) {
      this.failures = 0;
      if (this.status !== 'healthy') {
        const recovered = this.status === 'unhealthy';
        this.status = 'healthy';
        this.listener.healthy(recovered ? `recovered: ${outcome.detail}` : outcome.detail);
      }
      this.schedule(interval);
      return;
    }
    if (this.status === 'starting') {
      if (Date.now() >= this.deadline) {
        this.status = 'unhealthy';
        this.listener.unhealthy(`not healthy within ${this.check.startTimeoutMs} ms of starting: ${outcome.detail}`);
        this.schedule(interval);
      } else {
        this.schedule(Math.min(STARTING_PROBE_MS, interval));
      }
      return;
    }
    this.failures++;
    if (this.status === 'healthy' && this.failures >= this.check.retries) {
      this.status = 'unhealthy';
      this.listener.unhealthy(`${this.failures} health checks failed in a row: ${outcome.detail}`);
    }
    this.schedule(interval);
  }
}
