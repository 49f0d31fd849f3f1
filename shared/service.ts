// What the faces see of a service, a project and a log line.
import { z } from 'zod';
import { EngineMissingSchema } from './engine-missing.js';
import { SERVICE_STATES } from './service-states.js';

// The states themselves are zod-free (shared/service-states.ts), for the CLI's start path.
export { RUNNING_STATES, SERVICE_STATES, type ServiceState } from './service-states.js';
export const ServiceStateSchema = z.enum(SERVICE_STATES);

export const DependencyInfoSchema = z.object({
  name: z.string(),
  range: z.string().nullable(),
});

export const ServiceInfoSchema = z.object({
  project: z.string(),
  name: z.string(),
  /** its `version:`, or the version of its database engine found here; null: that engine is not installed
   *  (`engineMissing` says where DevMesh looked and how to install it) */
  version: z.string().nullable(),
  state: ServiceStateSchema,
  port: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  /** ms since epoch when the current process started, null when not running */
  startedAt: z.number().nullable(),
  /** ms since epoch of the last state change */
  since: z.number(),
  /** why the service is in its state: exit code, signal, failed probe, operator action */
  reason: z.string().nullable(),
  autostart: z.boolean(),
  dependsOn: z.array(DependencyInfoSchema),
  /** `protocol:` in devmesh.yaml; absent means http */
  protocol: z.enum(['http', 'tcp']).optional(),
  /** a TCP service's stable address through DevMesh, `127.0.0.1:15432` */
  tcpAddress: z.string().nullable().optional(),
  /** the engine, when DevMesh runs this service as a database (`database:` in devmesh.yaml) */
  database: z.enum(['postgres', 'redis', 'sqlite']).optional(),
  /** a database service whose engine is not installed on this machine: it cannot start until it is */
  engineMissing: EngineMissingSchema.optional(),
});
export type ServiceInfo = z.infer<typeof ServiceInfoSchema>;

/**
 * Who a project is across machines (main/core/projects/project-identity.ts): clones and worktrees of one
 * repository share `key`, so teammates' daemons agree on it and compare paths repo-relative.
 */
export const ProjectIdentitySchema = z.object({
  /** sha256 of the oldest root commit and subPath, 16 hex; `local-…` when localOnly */
  key: z.string(),
  /** the oldest commit with no parent reachable from HEAD; null when localOnly */
  rootCommit: z.string().nullable(),
  /** the normalized URL of `origin` (or the first remote), e.g. github.com/acme/shop: a hint, not the key */
  remote: z.string().nullable(),
  /** the project's folder inside the repository, POSIX, '' at the top */
  subPath: z.string(),
  /** git could not describe it (no git, not a repository, no commit yet): never equal to a teammate's */
  localOnly: z.boolean(),
  /** why it is localOnly */
  reason: z.string().optional(),
});
export type ProjectIdentityInfo = z.infer<typeof ProjectIdentitySchema>;

/**
 * A copy of a project running from one of its git worktrees (an agent's branch), side by side with the main
 * checkout: own ports, own logs, and names `<service>.<label>.localhost`. Never shared with teammates.
 */
export const WorktreeCopySchema = z.object({
  /** the id of the project this is a copy of (the main checkout's) */
  of: z.string(),
  /** the worktree's git branch */
  branch: z.string(),
  /** the branch made DNS-safe (lower case, [a-z0-9-], at most 63 characters): `<service>.<label>.localhost` */
  label: z.string(),
  /** the agent working in the worktree, when DevMesh made the worktree for one */
  agentId: z.string().nullable(),
});
export type WorktreeCopy = z.infer<typeof WorktreeCopySchema>;

export const ProjectInfoSchema = z.object({
  id: z.string(),
  root: z.string(),
  configPath: z.string(),
  services: z.array(z.string()),
  /** the last config error, when the file on disk is invalid and the previous valid config is still in use */
  configError: z.string().nullable(),
  /** absent until git has answered (a few ms after the project opens) */
  identity: ProjectIdentitySchema.optional(),
  /** present when this project is a worktree's copy of another (its id is `<of>@<label>`) */
  worktree: WorktreeCopySchema.optional(),
});
export type ProjectInfo = z.infer<typeof ProjectInfoSchema>;

export const LOG_STREAMS = ['stdout', 'stderr', 'system'] as const;
export const LogLineSchema = z.object({
  seq: z.number().int(),
  project: z.string(),
  service: z.string(),
  stream: z.enum(LOG_STREAMS),
  ts: z.number(),
  /** the line as the service printed it */
  text: z.string(),
  /** pino's scale (trace 10 … fatal 60): from a JSON line's level, a level word, or the stream; null: unknown */
  level: z.number().int().nullable().optional(),
  /** a structured (JSON) line's message; absent for a plain line */
  msg: z.string().optional(),
  /** a structured line's other keys (time and level left out) */
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;
