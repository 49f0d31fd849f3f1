// All services of one project: starts them in dependency order (each dependency healthy before what
// needs it starts), stops dependents before their dependencies, and applies a reloaded config by
// restarting only the services whose process changed; other edits (routing policy) take effect in place.
import { isDeepStrictEqual } from 'node:util';
import { DevMeshError } from '../../../shared/errors.js';
import type { ServiceInfo } from '../../../shared/service.js';
import { didYouMean } from '../base/did-you-mean.js';
import type { ProjectConfig, ServiceConfig } from '../config/project-config.js';
import { dependencyAddress, tcpDependencyAddress, type TcpAddress } from './dependency-address.js';
import { ServiceRunner, type ServiceRunnerDeps } from './service-runner.js';

/** What the supervisor asks of the proxy and the mesh: where services reach their dependencies, who else serves them. */
export interface SupervisorMeshView {
  /** `http://127.0.0.1:7777` while the proxy's HTTP listener is up, else null (dependencies are then reached directly) */
  proxyBase(): string | null;
  /** the name of a connected teammate serving `service` healthy within `range`, else null */
  peerServing(project: string, service: string, range: string | null): string | null;
  /** a TCP service's stable address through DevMesh; null (or absent) while TCP forwarding is off */
  tcpAddress?(project: string, def: ServiceConfig): TcpAddress | null;
}

/** The services of the project as a database's variables need them (databases/database-env.ts). */
export interface SupervisedServices {
  definition(name: string): ServiceConfig | undefined;
  /** the port of its running instance, else null */
  port(name: string): number | null;
}

/** What every runner of the project shares; each runner also gets its own dependency addresses. */
export type ServiceSupervisorDeps = Omit<ServiceRunnerDeps, 'dependencyEnv'> & {
  mesh?: SupervisorMeshView;
  /** DATABASE_URL / REDIS_URL (and a database dependency's <DEP>_URL) of a service (the databases domain) */
  databaseEnv?: (service: ServiceConfig, services: SupervisedServices) => Record<string, string>;
};

export interface ConfigChanges {
  added: string[];
  removed: string[];
  /** services whose definition changed: restarted when a process field changed and they ran, else updated in place */
  changed: string[];
}

/**
 * The fields of a definition that shape the running process, each as a reload compares it. A change to one
 * restarts a running service: the command, where it runs, its environment (the version is passed as
 * DEVMESH_SERVICE_VERSION, each dependency's address as <DEP>_URL / <DEP>_PORT), its port, and the health
 * monitor started with it. Of a dependency only the name counts; its range and on_version_mismatch are policy.
 */
const PROCESS_FIELDS = {
  command: (d) => d.command,
  cwd: (d) => d.cwd,
  env: (d) => d.env,
  version: (d) => d.version,
  port: (d) => d.port,
  health: (d) => d.health,
  dependsOn: (d) => d.dependsOn.map((dep) => dep.name).sort(),
  protocol: (d) => d.protocol,
  tcpPort: (d) => d.tcpPort,
  database: (d) => d.database,
} satisfies { [K in keyof ServiceConfig]?: (def: ServiceConfig) => unknown };

/**
 * The fields read when they apply, never by the running process: routing policy read at each request
 * (prefer, allow_peers, start_on_request), restart and stop settings read at the next crash or stop, autostart
 * read at the next start, and the line for messages. A change to these only updates the definition in place.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read as a type only (UnsortedField below)
const IN_PLACE_FIELDS = [
  'prefer',
  'allowPeers',
  'startOnRequest',
  'restart',
  'stopSignal',
  'stopTimeoutMs',
  'autostart',
  'line',
] as const;

// A field added to ServiceConfig fails to type-check here until it is put in one of the two lists above.
type UnsortedField = Exclude<
  keyof ServiceConfig,
  'name' | keyof typeof PROCESS_FIELDS | (typeof IN_PLACE_FIELDS)[number]
>;
const everyFieldSorted: [UnsortedField] extends [never] ? true : UnsortedField = true;
void everyFieldSorted;

export class ServiceSupervisor {
  private readonly runners = new Map<string, ServiceRunner>();
  private order: string[] = [];
  /** in-flight "start with dependencies" chains, so concurrent starts share one */
  private readonly starting = new Map<string, Promise<void>>();

  constructor(private readonly deps: ServiceSupervisorDeps) {}

  get(name: string): ServiceRunner {
    const runner = this.runners.get(name);
    if (!runner) {
      const known = this.order.join(', ') || '(none)';
      const suggestion = didYouMean(name, this.order);
      throw new DevMeshError(
        'SERVICE_NOT_FOUND',
        `no service '${name}' in project ${this.deps.project}${suggestion ? `; did you mean '${suggestion}'?` : ''} (its services: ${known})`,
      );
    }
    return runner;
  }

  names(): string[] {
    return [...this.order];
  }

  list(): ServiceInfo[] {
    return this.order.map((n) => this.runners.get(n)!.info());
  }

  /** Installs a (new) config; returns what changed. Running services whose process fields changed are restarted. */
  async apply(config: ProjectConfig): Promise<ConfigChanges> {
    const changes: ConfigChanges = { added: [], removed: [], changed: [] };
    const keep = config.logs;
    this.deps.logs.setRetention(
      this.deps.project,
      keep ? { maxBytes: keep.retainBytes, maxAgeMs: keep.retainAgeMs } : null,
    );
    for (const name of [...this.order].reverse()) {
      if (!config.services[name]) {
        changes.removed.push(name);
        const runner = this.runners.get(name)!;
        await runner.stop('removed from devmesh.yaml');
        runner.dispose();
        this.runners.delete(name);
        this.deps.registry.remove(this.deps.project, name);
      }
    }
    const restart: string[] = [];
    for (const name of config.order) {
      const def = config.services[name]!;
      const runner = this.runners.get(name);
      if (!runner) {
        changes.added.push(name);
        this.runners.set(name, this.createRunner(def));
      } else if (!isDeepStrictEqual(runner.definition, def)) {
        const previous = runner.definition;
        const running = runner.current !== 'stopped' && runner.current !== 'crashed';
        // A line that moved (an edit above the service) is no change, but later messages should cite it.
        if (!ServiceSupervisor.sameBesidesLine(previous, def)) changes.changed.push(name);
        runner.reconfigure(def);
        if (running && !ServiceSupervisor.sameProcess(previous, def)) restart.push(name);
      }
    }
    this.order = [...config.order];
    for (const name of restart) {
      await this.get(name).stop('its definition in devmesh.yaml changed');
      this.startInBackground(name, 'restarted: its definition in devmesh.yaml changed');
    }
    return changes;
  }

  /** Starts the service after what it depends on is healthy. `wait`: answer once it is healthy too. */
  async start(name: string, options: { wait?: boolean } = {}): Promise<ServiceInfo> {
    const runner = this.get(name);
    const chain = this.startWithDependencies(name, 'started by request');
    if (options.wait) await chain;
    else chain.catch(() => undefined); // the failure is in the service's state and reason
    return runner.info();
  }

  async stop(name: string): Promise<ServiceInfo> {
    const runner = this.get(name);
    await runner.stop('stopped by request');
    return runner.info();
  }

  async restart(name: string, options: { wait?: boolean } = {}): Promise<ServiceInfo> {
    const runner = this.get(name);
    await runner.stop('restarted by request');
    return this.start(name, options);
  }

  async startAll(options: { wait?: boolean; onlyAutostart?: boolean } = {}): Promise<ServiceInfo[]> {
    const names = this.order.filter((n) => !options.onlyAutostart || this.runners.get(n)!.definition.autostart);
    const chains = names.map((n) =>
      this.startWithDependencies(n, options.onlyAutostart ? 'autostart' : 'started by request (all)'),
    );
    if (options.wait) {
      const results = await Promise.allSettled(chains);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } else {
      for (const c of chains) c.catch(() => undefined);
    }
    return this.list();
  }

  /** Stops dependents before their dependencies. */
  async stopAll(reason = 'stopped by request (all)'): Promise<ServiceInfo[]> {
    const levels = this.reverseLevels();
    for (const level of levels) await Promise.all(level.map((n) => this.runners.get(n)!.stop(reason)));
    return this.list();
  }

  async dispose(): Promise<void> {
    await this.stopAll('DevMesh is shutting down');
    for (const runner of this.runners.values()) runner.dispose();
  }

  private startInBackground(name: string, reason: string): void {
    this.startWithDependencies(name, reason).catch((err: Error) =>
      this.deps.logger.warn({ service: name, err: err.message }, 'start failed'),
    );
  }

  private startWithDependencies(name: string, reason: string): Promise<void> {
    const existing = this.starting.get(name);
    if (existing) return existing;
    const runner = this.get(name);
    const chain = (async () => {
      // A dependency that prefers a teammate's instance (`prefer: peer` or a name) is not started here
      // while a connected teammate serves it within the range: the proxy routes to theirs.
      const deps = runner.definition.dependsOn
        .filter((d) => {
          const dep = this.runners.get(d.name)?.definition;
          if (dep === undefined || dep.prefer === 'local' || !dep.allowPeers) return true;
          const peer = this.deps.mesh?.peerServing(this.deps.project, d.name, d.range) ?? null;
          if (peer !== null)
            this.deps.logger.info(
              { service: name, dependency: d.name, peer },
              `${d.name} is served by ${peer}: not started here`,
            );
          return peer === null;
        })
        .map((d) => d.name);
      try {
        await Promise.all(deps.map((d) => this.startWithDependencies(d, `needed by ${name}`)));
      } catch (err) {
        throw new DevMeshError(
          'DEPENDENCY_FAILED',
          `${name} was not started: a dependency failed: ${(err as Error).message}`,
        );
      }
      await runner.start(reason);
      await runner.waitUntilHealthy();
    })();
    this.starting.set(name, chain);
    const forget = () => this.starting.delete(name);
    chain.then(forget, forget);
    return chain;
  }

  /** Services grouped so that each group only depends on later groups: stop order. */
  private reverseLevels(): string[][] {
    const depth = new Map<string, number>();
    const depthOf = (n: string): number => {
      const known = depth.get(n);
      if (known !== undefined) return known;
      depth.set(n, 0); // cycles are rejected by the config loader; this only guards recursion
      const d = Math.max(
        0,
        ...this.runners
          .get(n)!
          .definition.dependsOn.filter((x) => this.runners.has(x.name))
          .map((x) => depthOf(x.name) + 1),
      );
      depth.set(n, d);
      return d;
    };
    for (const n of this.order) depthOf(n);
    const max = Math.max(0, ...depth.values());
    const levels: string[][] = [];
    for (let d = max; d >= 0; d--) levels.push(this.order.filter((n) => depth.get(n) === d));
    return levels;
  }

  private createRunner(def: ServiceConfig): ServiceRunner {
    const { project } = this.deps;
    return new ServiceRunner(def, {
      ...this.deps,
      logger: this.deps.logger.child({ service: def.name }),
      dependencyEnv: () => this.dependencyEnv(def.name),
      tcpAddress: () => {
        const address = this.tcpAddressOf(this.runners.get(def.name)?.definition ?? def);
        return address === null ? null : `${address.host}:${address.port}`;
      },
      project,
    });
  }

  /** For each dependency, its address (`AUTH_URL`, `AUTH_PORT`), naming this service as the caller. */
  private dependencyEnv(name: string): Record<string, string> {
    const proxyBase = this.deps.mesh?.proxyBase() ?? null;
    const project = this.deps.project;
    const env: Record<string, string> = {};
    for (const dep of this.runners.get(name)?.definition.dependsOn ?? []) {
      const runner = this.runners.get(dep.name);
      const port = runner?.info().port;
      if (runner?.definition.protocol === 'tcp') {
        // Through the stable address (so a teammate's instance serves while this one is down), else directly.
        const direct = port != null ? { host: '127.0.0.1', port, url: `tcp://127.0.0.1:${port}` } : null;
        const address = this.tcpAddressOf(runner.definition) ?? direct;
        if (address !== null) Object.assign(env, tcpDependencyAddress(dep.name, address));
        continue;
      }
      Object.assign(env, dependencyAddress({ service: dep.name, project, port, proxyBase, from: name }));
    }
    const def = this.runners.get(name)?.definition;
    if (def && this.deps.databaseEnv) {
      const definition = (n: string) => this.runners.get(n)?.definition;
      Object.assign(
        env,
        this.deps.databaseEnv(def, { definition, port: (n) => this.runners.get(n)?.info().port ?? null }),
      );
    }
    return env;
  }

  private tcpAddressOf(def: ServiceConfig): TcpAddress | null {
    if (def.protocol !== 'tcp') return null;
    return this.deps.mesh?.tcpAddress?.(this.deps.project, def) ?? null;
  }

  private static sameBesidesLine(a: ServiceConfig, b: ServiceConfig): boolean {
    return isDeepStrictEqual({ ...a, line: 0 }, { ...b, line: 0 });
  }

  private static sameProcess(a: ServiceConfig, b: ServiceConfig): boolean {
    return Object.values(PROCESS_FIELDS).every((field) => isDeepStrictEqual(field(a), field(b)));
  }
}
