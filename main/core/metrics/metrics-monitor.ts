// Samples every `intervalMs` and keeps what was seen: every sample of the last minutes in memory (FineHistory),
// one row a minute on disk for a day (MinuteRollup → MetricsStore, pruned), leak and spin alerts on services
// (AlertBook), a `metrics.sampled` event after each sample. Samples never overlap (the next is scheduled when
// one ends) and nothing a sample throws leaves the timer: it is reported as a health problem, which the
// next good sample clears.
import type { DevMeshEvent } from '../../../shared/events.js';
import {
  formatBytes,
  type MachineUsage,
  type MetricsAlert,
  type MetricsHistory,
  type MetricsPoint,
  type ProcessUsage,
} from '../../../shared/metrics.js';
import type { Disposable } from '../base/disposable.js';
import type { StoreGuard } from '../health/store-guard.js';
import { AlertBook, type AlertFinding } from './alert-book.js';
import { FineHistory } from './fine-history.js';
import { judgeLeak } from './leak-detector.js';
import type { MetricsSettings } from '../settings/metrics-settings.js';
import { MAX_POINTS, type MetricsStore } from './metrics-store.js';
import { MinuteRollup } from './minute-rollup.js';
import type { ProcessSampler } from './process-sampler.js';
import type { ProcessTarget } from './process-targets.js';
import { judgeSpin } from './spin-detector.js';

const PRUNE_EVERY_MS = 10 * 60_000;

export interface MetricsMonitorDeps {
  sampler: ProcessSampler;
  targets: () => ProcessTarget[];
  store: MetricsStore;
  /** the minute rows' writes: a failing disk loses rows (counted), never a sample */
  guard: StoreGuard;
  settings: MetricsSettings;
  emit: (event: DevMeshEvent) => void;
  /** a sample failed (reported as a health problem) / succeeded again */
  failed: (err: unknown) => void;
  recovered: () => void;
  now?: () => number;
}

export interface HistoryQuery {
  key: string;
  from?: number;
  to?: number;
  resolution: 'auto' | 'fine' | 'minute';
}

export class MetricsMonitor implements Disposable {
  private readonly fine: FineHistory;
  private readonly rollup = new MinuteRollup();
  private readonly alerts: AlertBook;
  private readonly now: () => number;
  private latest: ProcessUsage[] = [];
  private machineNow: MachineUsage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private disposed = false;
  private lastPrune = 0;
  /** samples taken, and how long they took (ms): the sampler's own cost */
  readonly cost = { samples: 0, totalMs: 0, failures: 0, unreported: 0 };

  constructor(private readonly deps: MetricsMonitorDeps) {
    this.now = deps.now ?? Date.now;
    this.fine = new FineHistory(deps.settings.fineWindowMs, deps.settings.intervalMs);
    this.alerts = new AlertBook((alert) => deps.emit({ type: 'metrics.alert', ts: this.now(), alert }));
  }

  /** Starts sampling: one now, then every interval. */
  start(): void {
    if (this.disposed || this.timer !== null || this.running !== null) return;
    this.tick();
  }

  /** One sample now (or the one under way); never rejects. */
  sampleNow(): Promise<void> {
    this.running ??= this.sampleOnce().finally(() => (this.running = null));
    return this.running;
  }

  get processes(): ProcessUsage[] {
    return this.latest;
  }

  get machine(): MachineUsage | null {
    return this.machineNow;
  }

  alertList(all = false, limit = 100): MetricsAlert[] {
    return this.alerts.list(all, limit);
  }

  history(q: HistoryQuery): MetricsHistory {
    const to = q.to ?? this.now();
    const oldestFine = this.fine.oldest(q.key);
    // auto: the samples in memory when they reach back to `from` (or no `from`: the last minutes), else minutes
    const fine =
      q.resolution === 'fine' ||
      (q.resolution === 'auto' && (q.from === undefined || (oldestFine !== null && q.from >= oldestFine - 60_000)));
    const from = q.from ?? (fine ? 0 : to - this.deps.settings.keepMs);
    if (fine) {
      const points = this.fine.range(q.key, from, to);
      return {
        key: q.key,
        resolution: 'fine',
        stepMs: this.deps.settings.intervalMs,
        points: points.slice(-MAX_POINTS),
      };
    }
    const points: MetricsPoint[] = this.deps.store.history(q.key, from, to);
    const open = this.rollup.peek(q.key);
    if (open && open.minute >= from && open.minute <= to && points.at(-1)?.ts !== open.minute) {
      points.push({
        ts: open.minute,
        cpuPercent: open.cpuAvg,
        cpuMax: open.cpuMax,
        rssBytes: open.rssAvg,
        rssMax: open.rssMax,
        connections: open.connections,
        gpuBytes: open.gpuBytes,
        pids: open.pids,
      });
    }
    return { key: q.key, resolution: 'minute', stepMs: 60_000, points: points.slice(-MAX_POINTS) };
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.rollup.flush(null);
    this.deps.guard.background(() => this.deps.store.write(rows), rows.length);
  }

  private tick(): void {
    this.timer = null;
    // sampleNow never rejects; the catch is the seam's last guard, so the next sample is always scheduled
    void this.sampleNow()
      .catch(() => undefined)
      .then(() => {
        if (this.disposed) return;
        this.timer = setTimeout(() => this.tick(), this.deps.settings.intervalMs);
        this.timer.unref();
      });
  }

  private async sampleOnce(): Promise<void> {
    const started = performance.now();
    try {
      const { machine, usages } = await this.deps.sampler.sample(this.deps.targets());
      if (this.disposed) return;
      this.keep(machine, usages);
      this.deps.recovered();
    } catch (err) {
      this.cost.failures++;
      try {
        this.deps.failed(err);
      } catch {
        // the report itself failed (a health listener threw): counted, and the next sample tries again
        this.cost.unreported++;
      }
    } finally {
      this.cost.samples++;
      this.cost.totalMs += performance.now() - started;
    }
  }

  private keep(machine: MachineUsage, usages: ProcessUsage[]): void {
    const now = machine.ts;
    this.machineNow = machine;
    this.latest = [...usages].sort((a, b) => (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1));
    const live = new Set(usages.map((u) => u.key));
    const rows = this.rollup.flush(live);
    for (const u of usages) {
      this.fine.add(u);
      rows.push(...this.rollup.add(u));
      if (u.kind === 'service') this.judge(u, now);
    }
    this.fine.expire(now);
    this.alerts.forget(live, now);
    const prune = now - this.lastPrune >= PRUNE_EVERY_MS;
    if (rows.length > 0 || prune) {
      this.deps.guard.background(() => {
        this.deps.store.write(rows);
        if (prune) this.deps.store.pruneBefore(now - this.deps.settings.keepMs);
      }, rows.length);
      if (prune) this.lastPrune = now;
    }
    this.deps.emit({ type: 'metrics.sampled', ts: now, machine, processes: this.latest });
  }

  private judge(u: ProcessUsage, now: number): void {
    const points = this.fine.range(u.key);
    const { leak, spin } = this.deps.settings;
    const l = judgeLeak(points, leak);
    this.alerts.judge(u, 'leak', l?.leaking ? MetricsMonitor.leakFinding(l) : null, now);
    const s = judgeSpin(points, spin);
    this.alerts.judge(u, 'spin', s?.spinning ? MetricsMonitor.spinFinding(s, spin.cpuPercent) : null, now);
  }

  private static leakFinding(l: NonNullable<ReturnType<typeof judgeLeak>>): AlertFinding {
    const minutes = l.spanMs / 60_000;
    return {
      message:
        `memory grew ${formatBytes(l.growthBytes)} in ${minutes.toFixed(1)} min ` +
        `(${formatBytes(l.slopePerMin)}/min, R² ${l.r2.toFixed(2)}, rising in ${Math.round(l.risingShare * 100)}% ` +
        'of samples)',
      evidence: {
        slopeBytesPerMin: Math.round(l.slopePerMin),
        r2: Number(l.r2.toFixed(3)),
        risingShare: Number(l.risingShare.toFixed(3)),
        growthBytes: Math.round(l.growthBytes),
        spanMs: Math.round(l.spanMs),
      },
    };
  }

  private static spinFinding(s: NonNullable<ReturnType<typeof judgeSpin>>, threshold: number): AlertFinding {
    return {
      message:
        `CPU at or above ${threshold}% of a core for ${(s.spanMs / 60_000).toFixed(1)} min ` +
        `(mean ${Math.round(s.meanPercent)}%, lowest ${Math.round(s.minPercent)}%)`,
      evidence: {
        meanPercent: Math.round(s.meanPercent),
        minPercent: Math.round(s.minPercent),
        spanMs: Math.round(s.spanMs),
        thresholdPercent: threshold,
      },
    };
  }
}
