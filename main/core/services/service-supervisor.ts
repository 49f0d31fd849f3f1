// All services of one project: starts them in dependency order (each dependency healthy before what
// needs it starts), stops dependents before their dependencies, and applies a reloaded config by
// restarting only the services whose definition changed.
import { isDeepStrictEqual } from 'node:util';
import { DevMeshError } from '../../../shared/errors.js';
import type { ServiceInfo } from '../../../shared/service.js';
import { didYouMean } from '../config/did-you-mean.js';
import type { ProjectConfig, ServiceConfig } from '../config/project-config.js';
import { ServiceRunner, type ServiceRunnerDeps } from './service-runner.js';

/** What every runner of the project shares; each runner also gets its own dependency addresses. */
export type ServiceSupervisorDeps = Omit<ServiceRunnerDeps, 'dependencyEnv'>;

export interface ConfigChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

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

  /** Installs a (new) config; returns what changed. Changed services that run are restarted. */
  async apply(config: ProjectConfig): Promise<ConfigChanges> {
    const changes: ConfigChanges = { added: [], removed: [], changed: [] };
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
      } else if (!ServiceSupervisor.sameDefinition(runner.definition, def)) {
        changes.changed.push(name);
        const wasRunning = runner.current !== 'stopped' && runner.current !== 'crashed';
        runner.reconfigure(def);
        if (wasRunning) restart.push(name);
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
    const chains = names.map((n) => this.startWithDependencies(n, options.onlyAutostart ? 'autostart' : 'started by request (all)'));
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
      const deps = runner.definition.dependsOn.map((d) => d.name);
      try {
        await Promise.all(deps.map((d) => this.startWithDependencies(d, `needed by ${name}`)));
      } catch (err) {
        throw new DevMeshError('DEPENDENCY_FAILED', `${name} was not started: a dependency failed: ${(err as Error).message}`);
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
      const d = Math.max(0, ...this.runners.get(n)!.definition.dependsOn.filter((x) => this.runners.has(x.name)).map((x) => depthOf(x.name) + 1));
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
      project,
    });
  }

  /** `AUTH_URL=http://127.0.0.1:4001` and `AUTH_PORT=4001` for each dependency of the service. */
  private dependencyEnv(name: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const dep of this.runners.get(name)?.definition.dependsOn ?? []) {
      const port = this.runners.get(dep.name)?.info().port;
      if (port === null || port === undefined) continue;
      const key = dep.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
      env[`${key}_URL`] = `http://127.0.0.1:${port}`;
      env[`${key}_PORT`] = String(port);
    }
    return env;
  }

  private static sameDefinition(a: ServiceConfig, b: ServiceConfig): boolean {
    return isDeepStrictEqual({ ...a, line: 0 }, { ...b, line: 0 });
  }
}
