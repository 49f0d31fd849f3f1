// The monitor over a scripted OS reading (a stand-in for /proc: this is the monitor's unit test; the reader is
// tested on the real /proc beside it) and a real SQLite file: what each sample is told, the minute rollups
// written, read back and pruned, alerts raised once and cleared, and a failing reading that is reported and
// never thrown, the timer sampling on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { StoreGuard } from '../../../main/core/health/store-guard.js';
import { MetricsMonitor } from '../../../main/core/metrics/metrics-monitor.js';
import { metricsSettings } from '../../../main/core/settings/metrics-settings.js';
import { MetricsStore } from '../../../main/core/metrics/metrics-store.js';
import { ProcessSampler } from '../../../main/core/metrics/process-sampler.js';
import type { ProcessReader, TreeReading } from '../../../main/core/metrics/process-reader.js';
import type { ProcessTarget } from '../../../main/core/metrics/process-targets.js';
import { Database } from '../../../main/core/store/database.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import { until } from '../../helpers/until.js';

const MB = 1024 * 1024;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A reading per call: the root's CPU ms and RSS advance as the script says. */
class ScriptedReader implements ProcessReader {
  readonly source = 'proc' as const;
  readonly note = null;
  cpuMs = 0;
  rss = 100 * MB;
  fail: Error | null = null;
  read(roots: readonly number[]): Promise<Map<number, TreeReading>> {
    if (this.fail) return Promise.reject(this.fail);
    const out = new Map<number, TreeReading>();
    for (const root of roots) {
      const processes = [
        { pid: root, start: '1', cpuMs: this.cpuMs, rssBytes: this.rss },
        { pid: root + 1, start: '1', cpuMs: 0, rssBytes: MB },
      ];
      out.set(root, { root, processes, connections: 3, listening: 1 });
    }
    return Promise.resolve(out);
  }
  memory() {
    return { totalBytes: 8000 * MB, availableBytes: 4000 * MB };
  }
}

let dir: string;
let database: Database;
let clock: number;
let mono: number;
let events: DevMeshEvent[];
let failures: unknown[];
let recoveries: number;
let reader: ScriptedReader;
let targets: ProcessTarget[];

function monitor(overrides: Parameters<typeof metricsSettings>[0] = {}): { m: MetricsMonitor; store: MetricsStore } {
  const store = new MetricsStore(database);
  const m = new MetricsMonitor({
    sampler: new ProcessSampler({ reader, gpu: null, now: () => clock, monotonic: () => mono }),
    targets: () => targets,
    store,
    guard: new StoreGuard(DaemonHealth.detached(), { component: 'metrics', where: database.path, rule: 'dropped' }),
    settings: metricsSettings({
      interval_ms: 5000,
      leak: { window_ms: 60_000, min_growth_mb: 10 },
      spin: { cpu_percent: 90, for_ms: 30_000 },
      ...overrides,
    }),
    emit: (e) => events.push(e),
    failed: (err) => failures.push(err),
    recovered: () => recoveries++,
    now: () => clock,
  });
  return { m, store };
}

/** one sample 5 s after the previous, the service having spent `cpu` % of a core and grown by `grow` */
async function step(m: MetricsMonitor, cpu: number, grow = 0): Promise<void> {
  clock += 5000;
  mono += 5000;
  reader.cpuMs += (cpu / 100) * 5000;
  reader.rss += grow;
  await m.sampleNow();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-metrics-'));
  database = Database.open(join(dir, 'devmesh.db'));
  clock = T0;
  mono = 1000;
  events = [];
  failures = [];
  recoveries = 0;
  reader = new ScriptedReader();
  targets = [{ key: 'service:shop/api', kind: 'service', name: 'api', project: 'shop', pid: 4000 }];
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MetricsMonitor', () => {
  it('tells each sample: the tree summed, CPU from the second sample on', async () => {
    const { m } = monitor();
    await m.sampleNow();
    await step(m, 50);
    const sampled = events.filter((e) => e.type === 'metrics.sampled');
    expect(sampled).toHaveLength(2);
    expect(sampled[0]).toMatchObject({ processes: [{ cpuPercent: null }] });
    expect(m.processes).toEqual([
      expect.objectContaining({ key: 'service:shop/api', pids: 2, rssBytes: 101 * MB, connections: 3, listening: 1 }),
    ]);
    expect(m.processes[0]!.cpuPercent).toBeCloseTo(50, 5);
    expect(m.machine).toMatchObject({ memAvailableBytes: 4000 * MB, source: 'proc' });
    m.dispose();
  });

  it('writes one row a minute, reads a day of them back, and prunes rows past the retention', async () => {
    const { m, store } = monitor({ keep_hours: 1 });
    await m.sampleNow();
    for (let i = 0; i < 30; i++) await step(m, 20, MB); // 2.5 min
    const day = m.history({ key: 'service:shop/api', from: T0 - 86_400_000, resolution: 'minute' });
    expect(day.resolution).toBe('minute');
    expect(day.points.map((p) => p.ts)).toEqual([T0, T0 + 60_000, T0 + 120_000]); // the last one still open
    expect(day.points[1]!.cpuPercent).toBeCloseTo(20, 5);
    expect(day.points[1]!.rssMax).toBeGreaterThan(day.points[1]!.rssBytes);
    const fine = m.history({ key: 'service:shop/api', resolution: 'auto' });
    expect(fine).toMatchObject({ resolution: 'fine', stepMs: 5000 });
    expect(fine.points).toHaveLength(31);
    // once the service stops, its open minute is written too
    targets = [];
    await step(m, 0);
    expect(store.history('service:shop/api', 0, Infinity).map((p) => p.ts)).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    // two hours on: pruned at the next sample's housekeeping
    clock += 2 * 3_600_000;
    await step(m, 0);
    expect(store.history('service:shop/api', 0, Infinity)).toEqual([]);
    m.dispose();
  });

  it('raises a leak and a spin alert once each, clears them when it stops, and never for agents', async () => {
    targets.push({ key: 'agent:agent-1', kind: 'agent', name: 'claude-1', project: null, pid: 5000 });
    const { m } = monitor();
    await m.sampleNow();
    for (let i = 0; i < 14; i++) await step(m, 99, 2 * MB); // 70 s: pinned and growing 24 MB/min
    const raised = events.filter((e) => e.type === 'metrics.alert');
    expect(raised.map((e) => e.type === 'metrics.alert' && [e.alert.kind, e.alert.key, e.alert.state])).toEqual([
      ['spin', 'service:shop/api', 'active'],
      ['leak', 'service:shop/api', 'active'],
    ]);
    expect(
      m
        .alertList()
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['leak', 'spin']);
    const leak = m.alertList().find((a) => a.kind === 'leak')!;
    expect(leak.message).toMatch(/^memory grew 2\d\.\d MB in 1\.0 min \(2\d\.\d MB\/min, R² 1\.00, rising in 100%/);
    for (let i = 0; i < 14; i++) await step(m, 5); // calm and flat again
    const all = events.filter((e) => e.type === 'metrics.alert');
    expect(all).toHaveLength(4);
    expect(m.alertList()).toEqual([]);
    expect(m.alertList(true).map((a) => [a.kind, a.state])).toEqual([
      ['leak', 'cleared'],
      ['spin', 'cleared'],
    ]);
    m.dispose();
  });

  it('reports a failing reading, never throws it, and samples on once it works again', async () => {
    const { m } = monitor({ interval_ms: 200 });
    reader.fail = new Error('EMFILE: too many open files, open /proc/4000/stat');
    m.start();
    await until('two failed samples', () => failures.length >= 2);
    expect(events.filter((e) => e.type === 'metrics.sampled')).toEqual([]);
    expect(m.cost.failures).toBeGreaterThanOrEqual(2);
    reader.fail = null;
    await until('a sample again', () => events.some((e) => e.type === 'metrics.sampled'));
    expect(recoveries).toBeGreaterThanOrEqual(1);
    m.dispose();
    const after = m.cost.samples;
    await new Promise((r) => setTimeout(r, 500));
    expect(m.cost.samples).toBeLessThanOrEqual(after + 1); // the sample under way at dispose, at most
  });
});
