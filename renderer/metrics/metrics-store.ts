// What every process uses, for the views: each process's latest figures and its recent CPU and memory (the
// sparklines: the last MAX_POINTS samples), the machine, and the active leak and spin alerts by process.
// Filled from metrics.current (and each process's fine history) on connect, then metrics.sampled and
// metrics.alert events. Which process's detail chart is open lives here too.
import { createStore } from 'zustand/vanilla';
import type { MachineUsage, MetricsAlert, MetricsPoint, ProcessUsage } from '../../shared/metrics.js';

export const MAX_POINTS = 60;

export interface ProcessSeries {
  usage: ProcessUsage;
  /** oldest first, at most MAX_POINTS; null: not measured in that sample */
  cpu: (number | null)[];
  rss: number[];
}

export interface MetricsState {
  byKey: Record<string, ProcessSeries>;
  alerts: Record<string, MetricsAlert[]>;
  machine: MachineUsage | null;
  error: string | null;
  /** the process whose detail chart is open */
  detail: string | null;
  replace(current: { machine: MachineUsage; processes: ProcessUsage[]; alerts: MetricsAlert[] }): void;
  /** a process's fine history, fetched on connect: the sparkline's past */
  seed(key: string, points: readonly MetricsPoint[]): void;
  sampled(machine: MachineUsage, processes: readonly ProcessUsage[]): void;
  alert(alert: MetricsAlert): void;
  fail(message: string | null): void;
  open(key: string | null): void;
}

const tail = <T>(list: T[]): T[] => (list.length > MAX_POINTS ? list.slice(list.length - MAX_POINTS) : list);

function byAlertKey(alerts: readonly MetricsAlert[]): Record<string, MetricsAlert[]> {
  const out: Record<string, MetricsAlert[]> = {};
  for (const a of alerts) if (a.state === 'active') (out[a.key] ??= []).push(a);
  return out;
}

export const createMetricsStore = () =>
  createStore<MetricsState>()((set) => ({
    byKey: {},
    alerts: {},
    machine: null,
    error: null,
    detail: null,
    replace: ({ machine, processes, alerts }) =>
      set((s) => {
        const byKey: Record<string, ProcessSeries> = {};
        for (const u of processes) {
          const seen = s.byKey[u.key];
          byKey[u.key] = seen ? { ...seen, usage: u } : { usage: u, cpu: [u.cpuPercent], rss: [u.rssBytes] };
        }
        return { byKey, machine, alerts: byAlertKey(alerts), error: null };
      }),
    seed: (key, points) =>
      set((s) => {
        const seen = s.byKey[key];
        if (!seen || points.length === 0) return s;
        const cpu = tail(points.map((p) => p.cpuPercent));
        const rss = tail(points.map((p) => p.rssBytes));
        return { byKey: { ...s.byKey, [key]: { ...seen, cpu, rss } } };
      }),
    sampled: (machine, processes) =>
      set((s) => {
        const byKey: Record<string, ProcessSeries> = {};
        for (const u of processes) {
          const seen = s.byKey[u.key];
          byKey[u.key] = seen
            ? { usage: u, cpu: tail([...seen.cpu, u.cpuPercent]), rss: tail([...seen.rss, u.rssBytes]) }
            : { usage: u, cpu: [u.cpuPercent], rss: [u.rssBytes] };
        }
        return { byKey, machine };
      }),
    alert: (alert) =>
      set((s) => {
        const others = (s.alerts[alert.key] ?? []).filter((a) => a.kind !== alert.kind);
        const list = alert.state === 'active' ? [...others, alert] : others;
        const alerts = { ...s.alerts };
        if (list.length === 0) delete alerts[alert.key];
        else alerts[alert.key] = list;
        return { alerts };
      }),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
    open: (key) => set({ detail: key }),
  }));

export type MetricsStore = ReturnType<typeof createMetricsStore>;
