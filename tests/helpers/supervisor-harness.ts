// A real supervisor over real SQLite, real processes and real ports, in a temp folder: the pieces the
// composition root wires, without the faces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { DevMeshEvent, ServiceStateEvent } from '../../shared/events.js';
import type { ServiceState } from '../../shared/service.js';
import type { ProjectConfig, ServiceConfig } from '../../main/core/config/project-config.js';
import { EventBus } from '../../main/core/events/event-bus.js';
import { PortAllocator } from '../../main/core/services/port-allocator.js';
import { ProcessInspector } from '../../main/core/services/process-inspector.js';
import { ProcessReaper } from '../../main/core/services/process-reaper.js';
import { ServiceSupervisor } from '../../main/core/services/service-supervisor.js';
import { Database } from '../../main/core/store/database.js';
import type { DaemonHealth } from '../../main/core/health/daemon-health.js';
import { LogStore, type LogStoreDeps } from '../../main/core/logs/log-store.js';
import { ServiceRegistry } from '../../main/core/services/service-registry.js';

export const NODE = process.execPath;

export function service(
  name: string,
  partial: Partial<ServiceConfig> & { command: string },
  root: string,
): ServiceConfig {
  return {
    name,
    version: '1.0.0',
    cwd: root,
    env: {},
    port: null,
    health: { kind: 'none', graceMs: 100 },
    dependsOn: [],
    restart: { policy: 'on-failure', maxRestarts: 3, backoffInitialMs: 50, backoffMaxMs: 200, resetAfterMs: 30_000 },
    autostart: true,
    startOnRequest: false,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 3000,
    prefer: 'local',
    allowPeers: true,
    line: 1,
    protocol: 'http',
    tcpPort: null,
    database: null,
    ...partial,
  };
}

export function project(root: string, services: ServiceConfig[], id = 'demo'): ProjectConfig {
  return {
    id,
    root,
    configPath: join(root, 'devmesh.yaml'),
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    onVersionMismatch: 'warn',
    order: services.map((s) => s.name),
    warnings: [],
  };
}

let scripts = 0;
/** Writes a Node script into `dir` and returns the command that runs it. */
export function nodeScript(dir: string, js: string): string {
  const file = join(dir, `script-${++scripts}.js`);
  writeFileSync(file, js);
  return `'${NODE}' '${file}'`;
}

/** A tiny HTTP service: answers /health with 200 (or what the file `health-status` in cwd says). */
export function httpServer(dir: string, extra = ''): string {
  const js = `
    const http = require('http'); const fs = require('fs');
    const s = http.createServer((q, r) => {
      let code = 200; try { code = Number(fs.readFileSync('health-status', 'utf8')) || 200 } catch {}
      r.statusCode = q.url === '/health' ? code : 200; r.end(process.env.DEVMESH_SERVICE + ' ok');
    });
    s.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on', process.env.PORT));
    process.on('SIGTERM', () => { console.log('bye'); s.close(); process.exit(0); });
    ${extra}`;
  return nodeScript(dir, js);
}

export interface SupervisorHarnessOptions {
  /** where the store lives (a tmpfs the test fills, say); the caller removes it. Default: a temp folder */
  dir?: string;
  logger?: Logger;
  health?: DaemonHealth;
  logStore?: Omit<LogStoreDeps, 'health'>;
  registryRetryMs?: number;
}

export class SupervisorHarness {
  readonly dir: string;
  readonly database: Database;
  readonly events = new EventBus();
  readonly logs: LogStore;
  readonly registry: ServiceRegistry;
  readonly logger: Logger;
  readonly reaper: ProcessReaper;
  readonly inspector = new ProcessInspector();
  readonly ports = new PortAllocator(this.inspector);
  readonly seen: DevMeshEvent[] = [];
  readonly supervisor: ServiceSupervisor;
  private readonly ownsDir: boolean;

  constructor(projectId = 'demo', options: SupervisorHarnessOptions = {}) {
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'devmesh-sup-'));
    this.database = Database.open(join(this.dir, 'devmesh.db'));
    this.logger = options.logger ?? pino({ level: 'silent' });
    const health = options.health ? { health: options.health } : {};
    this.logs = new LogStore(this.database, this.events, { flushIntervalMs: 20, ...options.logStore, ...health });
    const retry = options.registryRetryMs ? { retryMs: options.registryRetryMs } : {};
    this.registry = new ServiceRegistry(this.database, { ...health, ...retry });
    this.reaper = ProcessReaper.start(this.logger);
    this.events.onDidEmitEvent((e) => this.seen.push(e));
    this.supervisor = new ServiceSupervisor({
      project: projectId,
      projectRoot: this.dir,
      logs: this.logs,
      events: this.events,
      registry: this.registry,
      reaper: this.reaper,
      ports: this.ports,
      inspector: this.inspector,
      logger: this.logger,
    });
  }

  transitions(name?: string): ServiceStateEvent[] {
    return this.seen.filter((e): e is ServiceStateEvent => e.type === 'service.state' && (!name || e.service === name));
  }

  /** Waits (bounded) until the service reaches the state. */
  async until(name: string, state: ServiceState, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.supervisor.get(name).current !== state) {
      if (Date.now() > deadline) {
        const info = this.supervisor.get(name).info();
        throw new Error(`${name} did not reach ${state} within ${timeoutMs} ms: it is ${info.state} (${info.reason})`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async dispose(): Promise<void> {
    await this.supervisor.dispose();
    this.logs.dispose();
    this.registry.dispose();
    this.reaper.dispose();
    this.database.close();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
