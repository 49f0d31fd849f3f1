// What every process uses: CPU, memory, open TCP connections and GPU memory of each service (its whole process
// tree), each agent and each terminal, sampled from the OS every few seconds (main/core/metrics/). Kept for a
// day at coarse resolution; alerts when a service leaks (memory climbing steadily) or spins (CPU pinned), shown
// and never acted on.
import { z } from 'zod';

export const PROCESS_KINDS = ['service', 'agent', 'terminal'] as const;
export const ProcessKindSchema = z.enum(PROCESS_KINDS);
export type ProcessKind = z.infer<typeof ProcessKindSchema>;

/** `service:<project>/<name>`, `agent:<id>`, `terminal:<id>`: one measured thing, stable across restarts */
export const ProcessKeySchema = z
  .string()
  .min(3)
  .max(512)
  .regex(/^(service|agent|terminal):\S+$/, 'a process key: service:<project>/<name>, agent:<id> or terminal:<id>');
export type ProcessKey = z.infer<typeof ProcessKeySchema>;

export function processKey(kind: ProcessKind, id: string): string {
  return `${kind}:${id}`;
}

/** One process tree, at the last sample. */
export const ProcessUsageSchema = z.object({
  key: z.string(),
  kind: ProcessKindSchema,
  /** the service's, agent's or terminal's name */
  name: z.string(),
  project: z.string().nullable(),
  /** the root of the tree (the service's shell, the terminal's PTY child) */
  pid: z.number().int(),
  /** processes in the tree (the root, its children, theirs…) */
  pids: z.number().int().min(0),
  /** CPU since the previous sample, in % of one core (200 = two cores busy); null on the first sample */
  cpuPercent: z.number().min(0).nullable(),
  /** resident memory of the whole tree */
  rssBytes: z.number().min(0),
  /** established TCP connections (IPv4 and IPv6) the tree holds open */
  connections: z.number().int().min(0),
  /** listening TCP sockets */
  listening: z.number().int().min(0),
  /** GPU memory (nvidia-smi); null where nvidia-smi is absent */
  gpuBytes: z.number().min(0).nullable(),
  ts: z.number(),
});
export type ProcessUsage = z.infer<typeof ProcessUsageSchema>;

/** The whole machine: what a new agent's memory check reads. */
export const MachineUsageSchema = z.object({
  ts: z.number(),
  cpuCount: z.number().int(),
  memTotalBytes: z.number().min(0),
  /** MemAvailable (Linux), else free memory; what can be given to new work without swapping */
  memAvailableBytes: z.number().min(0),
  /** nvidia-smi answered */
  gpu: z.boolean(),
  /** how the OS is read (`proc`, `ps`), or `none` where DevMesh cannot measure (then `note` says why) */
  source: z.enum(['proc', 'ps', 'none']),
  note: z.string().nullable(),
});
export type MachineUsage = z.infer<typeof MachineUsageSchema>;

export const ALERT_KINDS = ['leak', 'spin'] as const;
export const MetricsAlertSchema = z.object({
  id: z.string(),
  key: z.string(),
  kind: z.enum(ALERT_KINDS),
  name: z.string(),
  project: z.string().nullable(),
  state: z.enum(['active', 'cleared']),
  since: z.number(),
  clearedAt: z.number().nullable(),
  /** what was seen, in words: "memory grew 180 MB in 10 min (18 MB/min, R² 0.97)" */
  message: z.string(),
  /** the figures behind it: slope in bytes/min and R² for a leak; CPU % and duration for a spin */
  evidence: z.record(z.string(), z.number()),
});
export type MetricsAlert = z.infer<typeof MetricsAlertSchema>;

export const MetricsCurrentInputSchema = z
  .object({
    /** only this project's services (and agents and terminals working in it) */
    project: z.string().min(1).max(4096).optional(),
  })
  .strict();

export const MetricsCurrentSchema = z.object({
  machine: MachineUsageSchema,
  /** sorted by CPU, busiest first */
  processes: z.array(ProcessUsageSchema),
  /** alerts still active */
  alerts: z.array(MetricsAlertSchema),
  intervalMs: z.number().int(),
});
export type MetricsCurrent = z.infer<typeof MetricsCurrentSchema>;

/** One point of a history: a sample (fine) or a minute's rollup (coarse). */
export const MetricsPointSchema = z.object({
  ts: z.number(),
  cpuPercent: z.number().nullable(),
  cpuMax: z.number().nullable(),
  rssBytes: z.number(),
  rssMax: z.number(),
  connections: z.number().int(),
  gpuBytes: z.number().nullable(),
  pids: z.number().int(),
});
export type MetricsPoint = z.infer<typeof MetricsPointSchema>;

const Ms = z.number().int().min(0).max(8_640_000_000_000_000);
export const MetricsHistoryInputSchema = z
  .object({
    key: ProcessKeySchema,
    /** ms since the epoch; default: every sample in memory (fine), a day (minute) */
    from: Ms.optional(),
    /** default: now */
    to: Ms.optional(),
    /** `fine`: every sample of the last minutes kept in memory; `minute`: a day's rollups; `auto` picks */
    resolution: z.enum(['auto', 'fine', 'minute']).default('auto'),
  })
  .strict()
  .refine((i) => i.from === undefined || i.to === undefined || i.from <= i.to, {
    message: '`from` must not be after `to`',
  });

export const MetricsHistorySchema = z.object({
  key: z.string(),
  resolution: z.enum(['fine', 'minute']),
  /** ms between points at this resolution */
  stepMs: z.number().int(),
  points: z.array(MetricsPointSchema),
});
export type MetricsHistory = z.infer<typeof MetricsHistorySchema>;

export const MetricsAlertsInputSchema = z
  .object({ all: z.boolean().default(false), limit: z.number().int().min(1).max(1000).default(100) })
  .strict();

/** Pushed after every sample: what each process uses now. */
export const MetricsSampledEventSchema = z.object({
  type: z.literal('metrics.sampled'),
  ts: z.number(),
  machine: MachineUsageSchema,
  processes: z.array(ProcessUsageSchema),
});

/** A leak or spin alert was raised or cleared. */
export const MetricsAlertEventSchema = z.object({
  type: z.literal('metrics.alert'),
  ts: z.number(),
  alert: MetricsAlertSchema,
});

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
/** 1536 → "1.5 KB"; 1024-based, as `top` and `free -h` show memory */
export function formatBytes(n: number | null): string {
  if (n === null) return '-';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`;
}

export function formatCpu(p: number | null): string {
  return p === null ? '-' : `${p >= 100 ? Math.round(p) : p.toFixed(1)}%`;
}
