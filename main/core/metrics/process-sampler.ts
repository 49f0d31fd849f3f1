// One sample: the OS read once for every target's tree (ProcessReader) and for GPU memory (GpuReader), turned
// into what each target uses. CPU % is the CPU time the tree's processes spent since the previous sample over
// the time between them (per process, by pid and start time, so a reused pid or a restarted service is not
// mistaken for the old one); a process new to the tree since then counts from zero (it started meanwhile).
import { cpus } from 'node:os';
import type { MachineUsage, ProcessUsage } from '../../../shared/metrics.js';
import type { GpuReader } from './gpu-reader.js';
import type { ProcessReader, ProcessReading } from './process-reader.js';
import type { ProcessTarget } from './process-targets.js';

export interface SampleResult {
  machine: MachineUsage;
  usages: ProcessUsage[];
}

export interface ProcessSamplerDeps {
  reader: ProcessReader;
  gpu: GpuReader | null;
  now?: () => number;
  /** a monotonic clock for the time between samples (default performance.now) */
  monotonic?: () => number;
}

interface Baseline {
  at: number;
  /** `${pid}:${start}` → CPU ms */
  cpu: Map<string, number>;
}

export class ProcessSampler {
  private readonly baselines = new Map<string, Baseline>();
  private readonly now: () => number;
  private readonly monotonic: () => number;

  constructor(private readonly deps: ProcessSamplerDeps) {
    this.now = deps.now ?? Date.now;
    this.monotonic = deps.monotonic ?? (() => performance.now());
  }

  async sample(targets: readonly ProcessTarget[]): Promise<SampleResult> {
    const [trees, gpu] = await Promise.all([
      this.deps.reader.read([...new Set(targets.map((t) => t.pid))]),
      this.deps.gpu?.read() ?? Promise.resolve(null),
    ]);
    const at = this.monotonic();
    const ts = this.now();
    const memory = this.deps.reader.memory();
    const machine: MachineUsage = {
      ts,
      cpuCount: cpus().length,
      memTotalBytes: memory.totalBytes,
      memAvailableBytes: memory.availableBytes,
      gpu: gpu !== null,
      source: this.deps.reader.source,
      note: this.deps.reader.note,
    };
    const usages: ProcessUsage[] = [];
    const seen = new Set<string>();
    for (const t of targets) {
      const tree = trees.get(t.pid);
      if (!tree) continue; // ended between the listing and the reading
      seen.add(t.key);
      const gpuBytes = gpu === null ? null : tree.processes.reduce((sum, p) => sum + (gpu.get(p.pid) ?? 0), 0);
      usages.push({
        key: t.key,
        kind: t.kind,
        name: t.name,
        project: t.project,
        pid: t.pid,
        pids: tree.processes.length,
        cpuPercent: this.cpuPercent(t.key, at, tree.processes),
        rssBytes: tree.processes.reduce((sum, p) => sum + p.rssBytes, 0),
        connections: tree.connections,
        listening: tree.listening,
        gpuBytes,
        ts,
      });
    }
    for (const key of this.baselines.keys()) if (!seen.has(key)) this.baselines.delete(key);
    return { machine, usages };
  }

  private cpuPercent(key: string, at: number, processes: readonly ProcessReading[]): number | null {
    const cpu = new Map(processes.map((p) => [`${p.pid}:${p.start}`, p.cpuMs]));
    const before = this.baselines.get(key);
    this.baselines.set(key, { at, cpu });
    if (!before || at <= before.at) return null;
    let spent = 0;
    for (const [id, ms] of cpu) spent += Math.max(0, ms - (before.cpu.get(id) ?? 0));
    return (spent / (at - before.at)) * 100;
  }
}
