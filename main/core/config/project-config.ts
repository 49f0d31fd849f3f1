// The validated, normalized form of a project's devmesh.yaml: what the supervisor runs.
// Durations are milliseconds; paths are absolute; defaults are filled in.
import type { LogsConfig } from './logs-block.js';

export type RestartPolicy = 'no' | 'on-failure' | 'always';
/** what routing does when no instance of a dependency satisfies the caller's range */
export type VersionMismatchPolicy = 'warn' | 'refuse';
export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGKILL' | 'SIGUSR1' | 'SIGUSR2';

export type HealthCheckConfig =
  | { kind: 'none'; graceMs: number }
  | { kind: 'http'; path: string; intervalMs: number; timeoutMs: number; retries: number; startTimeoutMs: number }
  | { kind: 'tcp'; intervalMs: number; timeoutMs: number; retries: number; startTimeoutMs: number }
  | { kind: 'exec'; command: string; intervalMs: number; timeoutMs: number; retries: number; startTimeoutMs: number };

export interface RestartConfig {
  policy: RestartPolicy;
  /** crash-loop bound: after this many restarts without a healthy period, the service stays crashed */
  maxRestarts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** a service healthy this long gets its backoff and restart count reset */
  resetAfterMs: number;
}

export interface DependencyConfig {
  name: string;
  /** semver range the dependency's version must satisfy, e.g. "^2.1"; null: any version */
  range: string | null;
  /** `warn`: route to the best instance anyway and raise an alert; `refuse`: answer with an error.
   *  The dependency's own `on_version_mismatch`, else the project's. */
  onVersionMismatch: VersionMismatchPolicy;
}

/** `protocol:` of a service: http (the default) goes through the HTTP proxy, tcp through a stable TCP address */
export type ServiceProtocol = 'http' | 'tcp';
export type DatabaseEngineName = 'postgres' | 'redis' | 'sqlite';

/** `seed:` of a database block: an SQL file or a dump (path, absolute), or one of its own snapshots (by name) */
export type DatabaseSeed = { kind: 'file'; path: string } | { kind: 'snapshot'; name: string };

/**
 * A database DevMesh runs. It is a service of its own (ServiceConfig.database set, command filled in by the
 * databases domain at start): `<owner>-db` for a `database:` block on a service with a command (the owner
 * depends on it and gets DATABASE_URL or REDIS_URL), or the service itself for a block with no `command:`.
 */
export interface DatabaseConfig {
  engine: DatabaseEngineName;
  /** semver range the installed engine must satisfy, null: any */
  range: string | null;
  /** database name inside the engine (postgres), file name (sqlite); default the project id */
  name: string;
  seed: DatabaseSeed | null;
  /** the service whose block this is, null for a database-only service */
  owner: string | null;
}

export interface ServiceConfig {
  name: string;
  /** null: a database service without `version:` whose engine was not installed here when the file was read */
  version: string | null;
  command: string;
  /** absolute working directory (relative `cwd:` resolved against the project root) */
  cwd: string;
  env: Record<string, string>;
  /** fixed port, or null: DevMesh assigns a free one and passes it as $PORT */
  port: number | null;
  health: HealthCheckConfig;
  dependsOn: DependencyConfig[];
  restart: RestartConfig;
  autostart: boolean;
  /** a request through the proxy starts the service when it is stopped, and waits until it is healthy */
  startOnRequest: boolean;
  stopSignal: StopSignal;
  stopTimeoutMs: number;
  /** where requests to this service go first: 'local', 'peer', or a teammate's agent name */
  prefer: string;
  /** false: only this machine's instance serves it, never a teammate's */
  allowPeers: boolean;
  /** 1-based line of the service's key in devmesh.yaml, for messages */
  line: number;
  /** http (default) or tcp: a TCP service gets a stable local address that DevMesh forwards */
  protocol: ServiceProtocol;
  /** `tcp_port:` the stable local address's port, fixed in devmesh.yaml; null: allocated once and remembered.
   *  Only for protocol tcp. */
  tcpPort: number | null;
  /** set when DevMesh runs this service as a database (protocol tcp, or none for sqlite) */
  database: DatabaseConfig | null;
}

export interface ProjectConfig {
  /** `project:` in the file, else the folder name */
  id: string;
  root: string;
  configPath: string;
  services: Record<string, ServiceConfig>;
  /** `on_version_mismatch:` at the top level; each dependency may override it */
  onVersionMismatch: VersionMismatchPolicy;
  /** service names in dependency order: every service after all it depends on */
  order: string[];
  /** how much log the project keeps (`logs:`, defaults filled in by the loader; absent: the defaults) */
  logs?: LogsConfig;
  /** things worth telling that do not stop the project, e.g. a local dependency outside its declared range */
  warnings: string[];
}

/** One problem found in a devmesh.yaml; `toString` gives `devmesh.yaml:12: services.api.port: …` */
export interface ConfigIssue {
  file: string;
  line: number | null;
  path: string;
  message: string;
}

export const CONFIG_FILE_NAME = 'devmesh.yaml';
