// `metrics:` in $DEVMESH_HOME/config.yaml: how often processes are sampled, how long figures are kept, and
// when a service is said to leak or spin. Every field is optional; tests shorten the windows to seconds.
import { z } from 'zod';

export const MetricsSettingsFileSchema = z
  .object({
    /** false: nothing is sampled (no figures, no alerts, the agents' memory check off) */
    enabled: z.boolean().optional(),
    /** ms between samples */
    interval_ms: z.number().int().min(200).max(60_000).optional(),
    /** how far back every sample is kept in memory (the rest: one row a minute on disk) */
    fine_window_ms: z.number().int().min(10_000).max(3_600_000).optional(),
    /** how long the minute rollups are kept on disk */
    keep_hours: z
      .number()
      .min(1)
      .max(24 * 31)
      .optional(),
    /** a leak: over `window_ms`, memory fits a rising line (least squares) with R² ≥ min_r2, rose in at least
     *  min_rising_share of the steps, and by min_growth_mb in all */
    leak: z
      .object({
        window_ms: z.number().int().min(1000).max(3_600_000).optional(),
        min_r2: z.number().min(0).max(1).optional(),
        min_rising_share: z.number().min(0).max(1).optional(),
        min_growth_mb: z.number().min(0).max(1_048_576).optional(),
      })
      .strict()
      .optional(),
    /** a spin: every sample for `for_ms` at or above cpu_percent of one core */
    spin: z
      .object({
        cpu_percent: z.number().min(1).max(100_000).optional(),
        for_ms: z.number().int().min(1000).max(3_600_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface LeakSettings {
  windowMs: number;
  minR2: number;
  minRisingShare: number;
  minGrowthBytes: number;
}

export interface SpinSettings {
  cpuPercent: number;
  forMs: number;
}

export interface MetricsSettings {
  enabled: boolean;
  intervalMs: number;
  fineWindowMs: number;
  keepMs: number;
  leak: LeakSettings;
  spin: SpinSettings;
}

export const DEFAULT_METRICS: MetricsSettings = {
  enabled: true,
  intervalMs: 5000,
  fineWindowMs: 10 * 60_000,
  keepMs: 24 * 3_600_000,
  leak: { windowMs: 10 * 60_000, minR2: 0.8, minRisingShare: 0.6, minGrowthBytes: 50 * 1024 * 1024 },
  spin: { cpuPercent: 90, forMs: 5 * 60_000 },
};

export function metricsSettings(file: z.output<typeof MetricsSettingsFileSchema> | undefined): MetricsSettings {
  const f = file ?? {};
  const d = DEFAULT_METRICS;
  const leak: LeakSettings = {
    windowMs: f.leak?.window_ms ?? d.leak.windowMs,
    minR2: f.leak?.min_r2 ?? d.leak.minR2,
    minRisingShare: f.leak?.min_rising_share ?? d.leak.minRisingShare,
    minGrowthBytes: f.leak?.min_growth_mb === undefined ? d.leak.minGrowthBytes : f.leak.min_growth_mb * 1024 * 1024,
  };
  const spin: SpinSettings = {
    cpuPercent: f.spin?.cpu_percent ?? d.spin.cpuPercent,
    forMs: f.spin?.for_ms ?? d.spin.forMs,
  };
  // the detectors read the samples kept in memory: the window holds the longest of them
  const fineWindowMs = Math.max(f.fine_window_ms ?? d.fineWindowMs, leak.windowMs, spin.forMs);
  return {
    enabled: f.enabled ?? d.enabled,
    intervalMs: f.interval_ms ?? d.intervalMs,
    fineWindowMs,
    keepMs: f.keep_hours === undefined ? d.keepMs : f.keep_hours * 3_600_000,
    leak,
    spin,
  };
}
