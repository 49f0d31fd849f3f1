// One database DevMesh runs, as the snapshot code sees it (DatabaseHandle): its config and data, the
// engine's tools, and its service started, or stopped around work that needs it stopped.
import { DevMeshError } from '../../../shared/errors.js';
import type { ServiceState } from '../../../shared/service.js';
import type { DatabaseConfig } from '../config/project-config.js';
import type { ServiceSupervisor } from '../services/service-supervisor.js';
import type { DatabaseHandle, EngineTool } from './database-handle.js';
import type { EngineRuntime } from './engine-runtime.js';

/** states in which the service has (or is about to have) a process: it "ran" and is started again after */
const RUNNING: readonly ServiceState[] = ['starting', 'healthy', 'unhealthy', 'backing-off'];

export class ManagedDatabase implements DatabaseHandle {
  constructor(
    readonly project: string,
    readonly service: string,
    readonly config: DatabaseConfig,
    readonly engineVersion: string | null,
    private readonly runtime: EngineRuntime,
    private readonly supervisor: ServiceSupervisor,
  ) {}

  get dataPath(): string {
    return this.runtime.dataPath;
  }

  port(): number | null {
    if (this.config.engine === 'sqlite') return null;
    const runner = this.supervisor.get(this.service);
    return RUNNING.includes(runner.current) && runner.current !== 'backing-off' ? runner.info().port : null;
  }

  tool(name: string): EngineTool {
    return this.runtime.tool(name);
  }

  async ensureRunning(): Promise<void> {
    if (this.config.engine === 'sqlite') {
      await this.runtime.prepare(0);
      return;
    }
    await this.supervisor.start(this.service, { wait: true });
  }

  async whileStopped<T>(fn: () => Promise<T>): Promise<T> {
    // Dependents first (in reverse start order), then the database; started again in start order afterwards.
    const affected = new Set([this.service, ...this.dependents(this.service)]);
    const order = this.supervisor.names().filter((n) => affected.has(n));
    const ran = order.filter((n) => RUNNING.includes(this.supervisor.get(n).current));
    for (const name of [...order].reverse()) await this.supervisor.get(name).stop(`stopped for work on ${this.label}`);
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const failed: string[] = [];
    for (const name of ran) {
      try {
        await this.supervisor.start(name, { wait: true });
      } catch (err) {
        failed.push(`${name}: ${(err as Error).message}`);
      }
    }
    if (!outcome.ok) throw outcome.error;
    if (failed.length > 0) {
      throw new DevMeshError('SERVICE_FAILED', `${this.label}: done, but restarting failed: ${failed.join('; ')}`);
    }
    return outcome.value;
  }

  async initialize(): Promise<void> {
    if (this.port() !== null) {
      throw new DevMeshError('CONFLICT', `${this.label} is running: stop it first (initialize empties its data)`);
    }
    await this.runtime.initialize();
  }

  seed(): Promise<void> {
    return this.runtime.seed(this.port());
  }

  private get label(): string {
    return `${this.project}/${this.service}`;
  }

  /** every service that depends on `name`, directly or through others */
  private dependents(name: string): string[] {
    const found = new Set<string>();
    const visit = (target: string) => {
      for (const other of this.supervisor.names()) {
        if (found.has(other)) continue;
        if (this.supervisor.get(other).definition.dependsOn.some((d) => d.name === target)) {
          found.add(other);
          visit(other);
        }
      }
    };
    visit(name);
    return [...found];
  }
}
