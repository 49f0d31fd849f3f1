// The file format of devmesh.yaml as zod schemas: what each key accepts. ProjectConfigLoader turns the parsed
// result into the normalized ProjectConfig (defaults, absolute paths, dependency order).
//
// Error texts here are the *expectation* ("a number 1-65535"): ConfigIssueCollector turns a failed check into
// `expected a number 1-65535, got "80a"`, or `required: …` when the key is missing. `custom` issues raised in
// transforms carry their whole message.
import semver from 'semver';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../base/duration.js';
import { DatabaseBlockSchema } from './database-block.js';
import { LogsBlockSchema } from './logs-block.js';
import type { RestartPolicy, ServiceProtocol, StopSignal, VersionMismatchPolicy } from './project-config.js';

/** Service names and project ids: they end up in URLs, env var names and file names. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const NAME_MAX_LENGTH = 63;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const RESTART_POLICIES = ['no', 'on-failure', 'always'] as const satisfies readonly RestartPolicy[];
export const STOP_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGKILL',
  'SIGUSR1',
  'SIGUSR2',
] as const satisfies readonly StopSignal[];
export const SERVICE_PROTOCOLS = ['http', 'tcp'] as const satisfies readonly ServiceProtocol[];
export const VERSION_MISMATCH_POLICIES = ['warn', 'refuse'] as const satisfies readonly VersionMismatchPolicy[];
// as long as an agent's display name may be (user settings `mesh.name`)
const PEER_NAME_MAX_LENGTH = 64;

// Node timers overflow past ~24.8 days; a day is already far beyond any sensible health or stop timeout.
const MAX_DURATION_MS = 24 * 3_600_000;

export const CONFIG_DEFAULTS = {
  /** with no health check, a service still running this long after spawn counts as healthy */
  healthGraceMs: 500,
  health: { intervalMs: 5000, timeoutMs: 2000, retries: 3, startTimeoutMs: 60_000 },
  restart: {
    policy: 'on-failure' as RestartPolicy,
    maxRestarts: 5,
    backoffInitialMs: 1000,
    backoffMaxMs: 30_000,
    resetAfterMs: 30_000,
  },
  autostart: true,
  startOnRequest: false,
  stopSignal: 'SIGTERM' as StopSignal,
  stopTimeoutMs: 10_000,
  onVersionMismatch: 'warn' as VersionMismatchPolicy,
  prefer: 'local',
  allowPeers: true,
};

const NAME_RULE = `lowercase letters, digits, '-' and '_', starting with a letter or digit, at most ${NAME_MAX_LENGTH} characters`;

/** `got "80a"`, `got 3`, `got a list`: what the file held, as a user would recognize it. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

function name(what: string) {
  return z.string({ error: what }).max(NAME_MAX_LENGTH, { error: what }).regex(NAME_PATTERN, { error: what });
}

function duration(options: { min?: number } = {}) {
  const min = options.min ?? 0;
  return z.unknown().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `expected a duration like 500ms, 2s or 1m, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    if (ms < min || ms > MAX_DURATION_MS) {
      const range = min > 0 ? `between ${formatDuration(min)} and 24h` : 'at most 24h';
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `expected a duration ${range}, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

function count(what: string, min: number, max: number) {
  return z.number({ error: what }).int({ error: what }).min(min, { error: what }).max(max, { error: what });
}

const Version = z.string({ error: 'a semver version like 1.2.3' }).transform((value, ctx) => {
  const valid = semver.valid(value);
  if (valid !== null) return valid;
  const coerced = semver.coerce(value);
  const hint = coerced ? ` (did you mean "${coerced.version}"?)` : '';
  ctx.issues.push({
    code: 'custom',
    input: value,
    message: `expected a semver version like 1.2.3, got ${describeValue(value)}${hint}`,
  });
  return z.NEVER;
});

/** null: any version. `*` and an empty value mean the same. */
const Range = z
  .string({ error: 'a semver range like "^2.1", or nothing for any version' })
  .nullable()
  .transform((value, ctx) => {
    if (value === null || value.trim() === '' || value.trim() === '*') return null;
    if (semver.validRange(value) !== null) return value.trim();
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: `expected a semver range like "^2.1" or ">=1.4 <2", got ${describeValue(value)}`,
    });
    return z.NEVER;
  });

export interface DependencyEntry {
  name: string;
  range: string | null;
  /** the dependency's own `on_version_mismatch`; null: the project's applies */
  onVersionMismatch: VersionMismatchPolicy | null;
  /** where it is written under depends_on: its key in the map form, its index in the list form */
  at: string | number;
}

const MismatchPolicy = z.enum(VERSION_MISMATCH_POLICIES, { error: "'warn' or 'refuse'" });

/** `auth: { version: "^2.1", on_version_mismatch: refuse }`: a range with its own mismatch policy. */
export const DependencyObjectSchema = z.strictObject(
  {
    version: Range,
    on_version_mismatch: MismatchPolicy.optional(),
  },
  { error: 'a map with version and on_version_mismatch' },
);

const DependencySpec = z.union([Range, DependencyObjectSchema], {
  error: 'a version range like "^2.1", nothing for any version, or a map with version and on_version_mismatch',
});

const DependsOn = z
  .union([z.array(z.string({ error: 'a service name' })), z.record(z.string(), DependencySpec)], {
    error: 'a list of service names, or a map of service name to version range',
  })
  .nullable()
  .transform((value): DependencyEntry[] => {
    if (value === null) return [];
    if (Array.isArray(value))
      return value.map((dep, index) => ({ name: dep, range: null, onVersionMismatch: null, at: index }));
    return Object.entries(value).map(([dep, spec]) =>
      spec !== null && typeof spec === 'object'
        ? { name: dep, range: spec.version, onVersionMismatch: spec.on_version_mismatch ?? null, at: dep }
        : { name: dep, range: spec, onVersionMismatch: null, at: dep },
    );
  });

const EnvValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'a string, number or boolean' })
  .transform((value) => String(value));

const EnvName = z
  .string()
  .regex(ENV_NAME_PATTERN, { error: 'a variable name of letters, digits and _, not starting with a digit' });
const EnvMap = z
  .record(EnvName, EnvValue, { error: 'a map of variable name to value' })
  .nullable()
  .transform((value) => value ?? {});

const HEALTH_KINDS = ['http', 'tcp', 'exec'] as const;

export const HealthFileSchema = z
  .strictObject(
    {
      http: z.string({ error: 'a path like /health' }).startsWith('/', { error: 'a path like /health' }).optional(),
      tcp: z.literal(true, { error: 'true' }).optional(),
      exec: z.string({ error: 'a command' }).trim().min(1, { error: 'a command' }).optional(),
      interval: duration({ min: 50 }).optional(),
      timeout: duration({ min: 50 }).optional(),
      retries: count('a whole number 1-100', 1, 100).optional(),
      start_timeout: duration({ min: 50 }).optional(),
    },
    { error: 'a map with http, tcp or exec' },
  )
  .superRefine((health, ctx) => {
    const kinds = HEALTH_KINDS.filter((kind) => health[kind] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs one check: http: /path, tcp: true or exec: "command"' });
    } else if (kinds.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [kinds[1]!],
        message: `only one of http, tcp and exec may be set; found ${kinds.join(' and ')}`,
      });
    }
  });

const Policy = z.preprocess(
  // `restart: false` reads naturally as "never restart"; YAML 1.2 already keeps a bare `no` as a string.
  (value) => (value === false ? 'no' : value),
  z.enum(RESTART_POLICIES, { error: "'no', 'on-failure' or 'always'" }),
);

export const RestartObjectSchema = z
  .strictObject({
    policy: Policy.optional(),
    max_restarts: count('a whole number 0-1000', 0, 1000).optional(),
    backoff: duration({ min: 10 }).optional(),
    max_backoff: duration({ min: 10 }).optional(),
    reset_after: duration().optional(),
  })
  .superRefine((restart, ctx) => {
    const backoff = restart.backoff ?? CONFIG_DEFAULTS.restart.backoffInitialMs;
    const max = restart.max_backoff ?? CONFIG_DEFAULTS.restart.backoffMaxMs;
    if (max < backoff) {
      const at = restart.max_backoff !== undefined ? 'max_backoff' : 'backoff';
      ctx.addIssue({
        code: 'custom',
        path: [at],
        message: `max_backoff (${formatDuration(max)}) is shorter than backoff (${formatDuration(backoff)})`,
      });
    }
  });

const Restart = z.union([Policy, RestartObjectSchema], {
  error: "'no', 'on-failure', 'always', or a map with policy, max_restarts, backoff, max_backoff, reset_after",
});

/**
 * `tcp_port:` is the stable address DevMesh listens on for a TCP service; the process keeps its own `port:`.
 * An HTTP health check on a TCP service is allowed: gRPC and database sidecars often answer one.
 */
function checkTcpKeys(
  service: {
    protocol?: ServiceProtocol;
    tcp_port?: number;
    port?: number | null;
    command?: string;
    database?: { engine: string };
  },
  ctx: z.RefinementCtx,
): void {
  if (service.tcp_port === undefined) return;
  // a database-only service (postgres, redis) is a TCP service without saying so
  const databaseOnly = service.command === undefined && service.database !== undefined;
  if (service.protocol !== 'tcp' && !(databaseOnly && service.database?.engine !== 'sqlite')) {
    ctx.addIssue({
      code: 'custom',
      path: ['tcp_port'],
      message: 'tcp_port is the stable address of a TCP service: add protocol: tcp, or remove tcp_port',
    });
  } else if (service.port !== undefined && service.port !== null && service.port === service.tcp_port) {
    ctx.addIssue({
      code: 'custom',
      path: ['tcp_port'],
      message:
        `tcp_port ${service.tcp_port} is also the service's own port: DevMesh listens on tcp_port and forwards ` +
        'to port, so they must differ (remove port: to let DevMesh pick one, or change tcp_port)',
    });
  }
}

export const ServiceFileSchema = z
  .strictObject(
    {
      // both required, except on a database-only service (a `database:` block and no command): see below
      version: Version.optional(),
      command: z.string({ error: 'a command to run' }).trim().min(1, { error: 'a command to run' }).optional(),
      cwd: z.string({ error: 'a directory path' }).trim().min(1, { error: 'a directory path' }).optional(),
      env: EnvMap.optional(),
      port: count('a number 1-65535', 1, 65535).nullable().optional(),
      health: HealthFileSchema.nullable().optional(),
      depends_on: DependsOn.optional(),
      restart: Restart.optional(),
      autostart: z.boolean({ error: 'true or false' }).optional(),
      start_on_request: z.boolean({ error: 'true or false' }).optional(),
      stop_signal: z.enum(STOP_SIGNALS, { error: `one of ${STOP_SIGNALS.join(', ')}` }).optional(),
      stop_timeout: duration().optional(),
      prefer: z
        .string({ error: "'local', 'peer' or a teammate's agent name" })
        .trim()
        .min(1, { error: "'local', 'peer' or a teammate's agent name" })
        .max(PEER_NAME_MAX_LENGTH, {
          error: `'local', 'peer' or a teammate's agent name (at most ${PEER_NAME_MAX_LENGTH} characters)`,
        })
        .optional(),
      allow_peers: z.boolean({ error: 'true or false' }).optional(),
      protocol: z.enum(SERVICE_PROTOCOLS, { error: "'http' or 'tcp'" }).optional(),
      tcp_port: count('a number 1-65535', 1, 65535).optional(),
      database: DatabaseBlockSchema.optional(),
    },
    { error: 'a map with version and command' },
  )
  .superRefine((service, ctx) => {
    // A database-only service runs its engine (the command is generated) and may leave its version to the engine.
    if (service.command === undefined && service.database === undefined) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'required: a semver version like 1.2.3' });
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'required: a command to run' });
    } else if (service.version === undefined && service.command !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'required: a semver version like 1.2.3' });
    }
    checkTcpKeys(service, ctx);
    // Preferring teammates while refusing them would silently mean "local only": say so instead.
    if (service.allow_peers === false && service.prefer !== undefined && service.prefer !== 'local') {
      ctx.addIssue({
        code: 'custom',
        path: ['prefer'],
        message: `prefer: ${service.prefer} routes to teammates, but allow_peers is false; remove one of the two`,
      });
    }
  });
export type ServiceFile = z.output<typeof ServiceFileSchema>;

export const ProjectFileSchema = z.strictObject(
  {
    project: name(`a project id: ${NAME_RULE}`).optional(),
    on_version_mismatch: MismatchPolicy.optional(),
    /** how much log the project keeps (logs-block.ts) */
    logs: LogsBlockSchema.optional(),
    services: z.record(z.string(), z.unknown(), { error: 'a map of service name to service' }),
  },
  { error: 'a map with project and services' },
);

export const SERVICE_NAME_RULE = NAME_RULE;

/** The keys a map at `path` (relative to a service, or [] for the top level) may hold, for did-you-mean. */
export const KNOWN_KEYS = {
  project: Object.keys(ProjectFileSchema.shape),
  service: Object.keys(ServiceFileSchema.shape),
  health: Object.keys(HealthFileSchema.shape),
  restart: Object.keys(RestartObjectSchema.shape),
  dependency: Object.keys(DependencyObjectSchema.shape),
  database: Object.keys(DatabaseBlockSchema.shape),
  logs: Object.keys(LogsBlockSchema.shape),
};
