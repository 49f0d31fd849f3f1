// The validated, normalized form of a project's devmesh.yaml: what the supervisor runs.
// Durations are milliseconds; paths are absolute; defaults are filled in.

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

export interface ServiceConfig {
  name: string;
  version: string;
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
