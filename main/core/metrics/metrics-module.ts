// What every process uses, wired: the platform's reader, nvidia-smi, the sampler over the services, agents and
// terminals DevMesh runs (MeasuredParts: plain getters, read at each sample, so this module is built before the
// agents that read its measurements), the monitor that keeps samples, rollups and alerts. The API's metrics.*
// calls and the agents' memory check (MeasuredMemory) land here.
import { cpus } from 'node:os';
import type { Logger } from 'pino';
import type { MetricsAlert, MetricsCurrent, MetricsHistory, ProcessUsage } from '../../../shared/metrics.js';
import type { Disposable } from '../base/disposable.js';
import { StoreGuard } from '../health/store-guard.js';
import type { StoreModule } from '../store/store-module.js';
import { GpuReader } from './gpu-reader.js';
import { MetricsMonitor, type HistoryQuery } from './metrics-monitor.js';
import type { MetricsSettings } from '../settings/metrics-settings.js';
import { MetricsStore } from './metrics-store.js';
import { ProcessSampler } from './process-sampler.js';
import { processReaderFor, type ProcessReader } from './process-reader.js';
import { listTargets, type TargetSources } from './process-targets.js';

export const METRICS_COMPONENT = 'process metrics';
const SAMPLE_RULE =
  'services, agents and terminals keep running; their CPU and memory figures, the leak and spin alerts and ' +
  "the agents' memory check pause until a sample succeeds again";
const STORE_RULE = 'the minute rollups of that time are dropped (counted); samples of the last minutes stay in memory';

/** The parts whose processes are measured, each got when a sample is taken; null: not built yet (the agents). */
export interface MeasuredParts {
  projects: () => { all(): { id: string; supervisor: { list(): { name: string; pid: number | null }[] } }[] };
  agents: () => { list(): ReturnType<TargetSources['agents']> } | null;
  terminals: () => { list(): ReturnType<TargetSources['terminals']> };
}

/** What the sampler reads of the measured parts, as plain lists. */
export function targetSources(parts: MeasuredParts): TargetSources {
  return {
    services: () =>
      parts
        .projects()
        .all()
        .flatMap((p) => p.supervisor.list().map((s) => ({ project: p.id, name: s.name, pid: s.pid }))),
    agents: () => parts.agents()?.list() ?? [],
    terminals: () => parts.terminals().list(),
  };
}

export interface MetricsModuleDeps {
  store: StoreModule;
  settings: MetricsSettings;
  measured: MeasuredParts;
  /** a project reference (id or root) to its id; throws PROJECT_NOT_FOUND */
  projectId: (ref: string) => string;
  logger: Logger;
  /** the OS reading (tests); default: the platform's */
  reader?: ProcessReader;
  /** nvidia-smi (tests point it elsewhere) */
  gpuCommand?: string;
}

/** The machine's memory for the agents' start check (agents/resource-budget.ts's MeasuredMemory, by shape). */
export interface MachineMemory {
  availableBytes: number;
  totalBytes: number;
  top: { label: string; rssBytes: number }[];
}

export class MetricsModule implements Disposable {
  readonly monitor: MetricsMonitor;
  private readonly reader: ProcessReader;

  constructor(private readonly deps: MetricsModuleDeps) {
    const logger = deps.logger.child({ domain: 'metrics' });
    const { store, settings } = deps;
    this.reader = deps.reader ?? processReaderFor();
    const sampler = new ProcessSampler({ reader: this.reader, gpu: new GpuReader({ command: deps.gpuCommand }) });
    const sources = targetSources(deps.measured);
    let failures = 0;
    this.monitor = new MetricsMonitor({
      sampler,
      targets: () => listTargets(sources),
      store: new MetricsStore(store.database),
      guard: new StoreGuard(store.health, {
        component: 'process metrics store',
        where: store.database.path,
        rule: STORE_RULE,
      }),
      settings,
      emit: (e) => store.events.emit(e),
      failed: (err) => {
        if (failures++ === 0) logger.warn({ err: (err as Error)?.message ?? String(err) }, 'a process sample failed');
        store.health.fail({ component: METRICS_COMPONENT, error: err, where: this.reader.source, rule: SAMPLE_RULE });
      },
      recovered: () => {
        failures = 0;
        if (store.health.has(METRICS_COMPONENT)) store.health.ok(METRICS_COMPONENT);
      },
    });
  }

  /** Starts sampling (once the parts it measures exist); a no-op when `metrics.enabled` is false. */
  start(): void {
    if (this.deps.settings.enabled) this.monitor.start();
  }

  current(projectRef?: string): MetricsCurrent {
    const project = projectRef === undefined ? null : this.deps.projectId(projectRef);
    const processes = this.monitor.processes.filter((p) => project === null || p.project === project);
    const alerts = this.monitor.alertList().filter((a) => project === null || a.project === project);
    return { machine: this.machineNow(), processes, alerts, intervalMs: this.deps.settings.intervalMs };
  }

  history(q: HistoryQuery): MetricsHistory {
    return this.monitor.history(q);
  }

  alerts(all: boolean, limit: number): MetricsAlert[] {
    return this.monitor.alertList(all, limit);
  }

  /** The machine's memory read now, DevMesh's biggest processes as last sampled. */
  machine(): MachineMemory | null {
    if (!this.deps.settings.enabled) return null;
    let memory;
    try {
      memory = this.reader.memory();
    } catch {
      return null; // no /proc/meminfo (a sandbox): the check is off rather than every start refused
    }
    const top = [...this.monitor.processes]
      .sort((a, b) => b.rssBytes - a.rssBytes)
      .slice(0, 5)
      .map((p) => ({ label: MetricsModule.label(p), rssBytes: p.rssBytes }));
    return { availableBytes: memory.availableBytes, totalBytes: memory.totalBytes, top };
  }

  agentRss(agentId: string): number | null {
    return this.monitor.processes.find((p) => p.kind === 'agent' && p.key === `agent:${agentId}`)?.rssBytes ?? null;
  }

  dispose(): void {
    this.monitor.dispose();
  }

  private machineNow(): MetricsCurrent['machine'] {
    const sampled = this.monitor.machine;
    if (sampled) return sampled;
    let memory = { totalBytes: 0, availableBytes: 0 };
    try {
      memory = this.reader.memory();
    } catch {
      // not sampled yet and no memory figures: zeros, with the reader's note
    }
    return {
      ts: Date.now(),
      cpuCount: cpus().length,
      memTotalBytes: memory.totalBytes,
      memAvailableBytes: memory.availableBytes,
      gpu: false,
      source: this.reader.source,
      note: this.deps.settings.enabled ? this.reader.note : 'process metrics are off (metrics.enabled: false)',
    };
  }

  static label(p: Pick<ProcessUsage, 'kind' | 'name' | 'project'>): string {
    if (p.kind === 'service') return `service ${p.project}/${p.name}`;
    return `${p.kind} ${p.name}`;
  }
}
