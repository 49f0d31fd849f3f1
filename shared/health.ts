// The daemon's own health: parts of DevMesh that are failing while the daemon stays up (a store on a full
// disk, a listener that died). Each problem says what fails, where, how to fix it, and what happens to the
// data meanwhile (the rule). Shown in the UI's header and by `devmesh status`.
import { z } from 'zod';

/** DISK_FULL: no space (or quota) left; READ_ONLY: the file system or file refuses writes; CORRUPT: a file
 *  is damaged; IO: another input/output failure; INTERNAL: a bug caught at its seam; ENVIRONMENT: the user's
 *  login-shell environment could not be read (children start with the app's own). */
export const HealthCodeSchema = z.enum(['DISK_FULL', 'READ_ONLY', 'CORRUPT', 'IO', 'INTERNAL', 'ENVIRONMENT']);
export type HealthCode = z.infer<typeof HealthCodeSchema>;

export const HealthProblemSchema = z.object({
  /** the failing part, as users name it: "request log", "service logs", "audit chain", "recordings" */
  component: z.string(),
  code: HealthCodeSchema,
  /** what fails, where, how to fix it */
  message: z.string(),
  /** the underlying error, as the system gave it */
  cause: z.string(),
  /** what happens to the data while it fails: kept and retried, or dropped (and counted) */
  rule: z.string(),
  /** failures since the problem began */
  failures: z.number().int(),
  /** items given up (rows, lines, events) since the problem began */
  dropped: z.number().int(),
  since: z.number(),
  lastAt: z.number(),
});
export type HealthProblem = z.infer<typeof HealthProblemSchema>;

export const HealthSchema = z.object({
  ok: z.boolean(),
  problems: z.array(HealthProblemSchema),
  /** problems that cleared since start, newest first (at most 20): a full disk that was freed, say */
  recovered: z.array(HealthProblemSchema.extend({ recoveredAt: z.number() })),
});
export type Health = z.infer<typeof HealthSchema>;

export const HealthChangedEventSchema = z.object({
  type: z.literal('health.changed'),
  ts: z.number(),
  /** the current problems (empty: healthy again) */
  problems: z.array(HealthProblemSchema),
});
export type HealthChangedEvent = z.infer<typeof HealthChangedEventSchema>;
