// One service of a project, run and watched: spawns its command in its own process group, captures its
// output line by line, follows its health, restarts it by its policy with backoff, and stops its whole
// process tree (stop signal, then SIGKILL after the stop timeout). Every state change is an event with
// a timestamp and a reason, saved in the registry.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { EngineMissing } from '../../../shared/engine-missing.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ServiceInfo, ServiceState } from '../../../shared/service.js';
import type { ServiceConfig } from '../config/project-config.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../base/disposable.js';
import { LineSplitter } from '../logs/line-splitter.js';
import type { LogStore } from '../logs/log-store.js';
import type { ServiceRegistry } from './service-registry.js';
import { HealthMonitor } from './health-monitor.js';
import type { PortAllocator } from './port-allocator.js';
import type { ProcessInspector } from './process-inspector.js';
import type { ProcessReaper } from './process-reaper.js';
import { ProcessGroup, type StopSettings } from './process-group.js';
import { RestartBackoff } from '../base/restart-backoff.js';
import { StateWaiters } from './state-waiters.js';
import { serviceEnv, type ServiceEnvDeps } from './service-env.js';
import { judgeExit } from './exit-verdict.js';
import { spawnService, type ServiceLaunch } from './service-launch.js';

/** the environment's parts (service-env.ts: dependencyEnv, extraEnv, baseEnv, serviceCa) and the rest */
export interface ServiceRunnerDeps extends Omit<ServiceEnvDeps, 'note'> {
  projectRoot: string;
  logs: LogStore;
  events: EventBus;
  registry: ServiceRegistry;
  reaper: ProcessReaper;
  ports: PortAllocator;
  inspector: ProcessInspector;
  logger: Logger;
  /**
   * Runs before each spawn, once the port is known (a database's first-start bootstrap, its engine located);
   * may give how to launch the process instead of its `command:`. A throw fails the start with its message.
   * `signal` aborts when the service is stopped meanwhile: the hook stops what it started (a temporary server)
   * and settles; the stop waits for it, so nothing it runs outlives the stop or overlaps the next start.
   */
  prepare?: (config: ServiceConfig, port: number, signal: AbortSignal) => Promise<ServiceLaunch | null>;
  /** a TCP service's stable address through DevMesh (`127.0.0.1:15432`), null while forwarding is off */
  tcpAddress?: () => string | null;
  /**
   * A database service with no version (its engine was not installed when devmesh.yaml was read): the engine's
   * version found now, or what is missing and how to install it. Asked only while the version is unknown.
   */
  engine?: (config: ServiceConfig) => ServiceEngine;
}

/** what the databases domain finds of a database service's engine on this machine */
export interface ServiceEngine {
  version: string | null;
  missing: EngineMissing | null;
}

/** Waiting this long for a dead shell's pipes to close before the exit is handled. */
const PIPE_DRAIN_MS = 1000;

const noop = (): void => undefined;

export class ServiceRunner implements Disposable {
  private state: ServiceState = 'stopped';
  private reason: string | null = null;
  private since = Date.now();
  private child: ChildProcess | null = null;
  private pid: number | null = null;
  private port: number | null;
  private startedAt: number | null = null;
  private restarts = 0;
  private backoff: RestartBackoff;
  private health: HealthMonitor | null = null;
  private backoffTimer: NodeJS.Timeout | null = null;
  private resetTimer: NodeJS.Timeout | null = null;
  private group: ProcessGroup | null = null;
  /** the prepare hook at work before a spawn, with how to abort it */
  private preparing: { abort: AbortController; settled: Promise<void> } | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopReason = 'stopped';
  /** the stop ended in SIGKILL: the stop reason says so, whatever became of the shell */
  private killedAfterTimeout = false;
  private readonly waiters = new StateWaiters();

  constructor(
    private config: ServiceConfig,
    private readonly deps: ServiceRunnerDeps,
  ) {
    this.backoff = new RestartBackoff(config.restart);
    // A service without a fixed port keeps the port it had before DevMesh restarted, when still free.
    this.port = config.port ?? deps.registry.get(deps.project, config.name)?.port ?? null;
  }

  get name(): string {
    return this.config.name;
  }

  get current(): ServiceState {
    return this.state;
  }

  get definition(): ServiceConfig {
    return this.config;
  }

  info(): ServiceInfo {
    const engine = this.config.version === null ? (this.deps.engine?.(this.config) ?? null) : null;
    return {
      project: this.deps.project,
      name: this.config.name,
      version: this.config.version ?? engine?.version ?? null,
      state: this.state,
      port: this.port,
      pid: this.pid,
      restarts: this.restarts,
      startedAt: this.startedAt,
      since: this.since,
      reason: this.reason,
      autostart: this.config.autostart,
      dependsOn: this.config.dependsOn.map((d) => ({ name: d.name, range: d.range })),
      ...(this.config.database ? { database: this.config.database.engine } : {}),
      // absent for http, so an HTTP service's info is what it always was
      ...(this.config.protocol === 'tcp'
        ? { protocol: 'tcp' as const, tcpAddress: this.deps.tcpAddress?.() ?? null }
        : {}),
      ...(engine?.missing ? { engineMissing: engine.missing } : {}),
    };
  }

  /** Starts the process; a no-op when it already runs. Throws PORT_BUSY / SPAWN_FAILED with the cause. */
  async start(reason = 'started'): Promise<void> {
    if (this.state === 'starting' || this.state === 'healthy' || this.state === 'unhealthy') return;
    if (this.state === 'stopping') await this.exited;
    this.clearBackoffTimer();
    this.backoff.reset();
    await this.spawnProcess(reason);
  }

  async stop(reason = 'stopped by request'): Promise<void> {
    this.clearBackoffTimer();
    if (this.state === 'backing-off') {
      this.setState('stopped', `${reason} (a restart was pending)`);
      return;
    }
    if (this.state === 'stopped' || this.state === 'crashed') return;
    if (this.state === 'starting' && this.child === null) {
      // A prepare hook at work (a database's first start: its temporary server, its seed) is told to stop and
      // waited for: it would otherwise run on past a daemon's exit, or beside the next start's.
      const preparing = this.preparing;
      if (preparing !== null) {
        preparing.abort.abort();
        await preparing.settled;
      }
      if (this.state === 'starting' && this.child === null)
        this.setState('stopped', `${reason} (before its process started)`);
      return;
    }
    if (this.state !== 'stopping') {
      this.stopReason = reason;
      this.killedAfterTimeout = false;
      this.setState('stopping', reason);
      this.group?.stop(this.stopSettings(), () => {
        this.stopReason = `${reason}; killed with SIGKILL after stop_timeout (${this.config.stopTimeoutMs} ms)`;
        this.killedAfterTimeout = true;
      });
    }
    await this.exited;
  }

  async restart(reason = 'restarted by request'): Promise<void> {
    await this.stop(reason);
    await this.start(reason);
  }

  /** Resolves once healthy; rejects with the reason when the start fails (crash, stop, or no health). */
  waitUntilHealthy(): Promise<void> {
    return this.waiters.wait(() => {
      if (this.state === 'healthy') return { done: true };
      if (this.state === 'starting') return null;
      const why = this.reason ?? this.state;
      return {
        done: false,
        error: new DevMeshError(
          'SERVICE_FAILED',
          `${this.name} did not become healthy: ${this.state}: ${why} (see \`devmesh logs ${this.name}\`)`,
        ),
      };
    });
  }

  /**
   * A new definition from a config reload. The caller restarts the service when what its process runs with
   * changed; otherwise the running process keeps going and the new settings apply from their next use.
   */
  reconfigure(config: ServiceConfig): void {
    // The crash-loop count survives an edit that leaves the restart settings alone.
    if (!isDeepStrictEqual(config.restart, this.config.restart)) this.backoff = new RestartBackoff(config.restart);
    this.config = config;
    if (config.port !== null) this.port = config.port;
  }

  dispose(): void {
    this.clearBackoffTimer();
    this.health?.dispose();
    if (this.resetTimer) clearTimeout(this.resetTimer);
    if (this.port !== null && this.config.port === null) this.deps.ports.release(this.port);
  }

  private async spawnProcess(reason: string): Promise<void> {
    const cfg = this.config;
    this.setState('starting', reason);
    let launch: ServiceLaunch | null = null;
    try {
      if (cfg.port !== null) await this.deps.ports.requireFree(cfg.port, `services.${cfg.name}.port`);
      else this.port = await this.deps.ports.assign(this.port);
      if (!existsSync(cfg.cwd)) {
        throw new DevMeshError(
          'SPAWN_FAILED',
          `cannot start ${cfg.name}: its working directory ${cfg.cwd} does not exist; create it or fix services.${cfg.name}.cwd in devmesh.yaml`,
        );
      }
      if (this.deps.prepare && this.state === 'starting') {
        const abort = new AbortController();
        const pending = this.deps.prepare(cfg, this.port!, abort.signal);
        this.preparing = { abort, settled: pending.then(noop, noop) };
        try {
          launch = await pending;
        } catch (err) {
          if (abort.signal.aborted) return; // stopped meanwhile: stop() settles the state
          throw err;
        } finally {
          this.preparing = null;
        }
        if (abort.signal.aborted) return;
        if (launch?.port !== undefined && launch.port !== this.port) {
          if (cfg.port === null && this.port !== null) this.deps.ports.release(this.port);
          this.port = launch.port;
        }
      }
    } catch (err) {
      this.startFailed(err);
    }
    if (this.state !== 'starting') return; // stopped while we were checking the port
    const note = (text: string) => this.deps.logs.append(this.deps.project, cfg.name, 'system', text);
    const env = serviceEnv(cfg, this.port, { ...this.deps, note });
    const command = launch?.command ?? cfg.command;
    const cwd = launch?.cwd ?? cfg.cwd;
    let child: ChildProcess & { pid: number };
    try {
      child = await spawnService(cfg.name, { command, cwd, env, uid: launch?.uid, gid: launch?.gid });
    } catch (err) {
      this.startFailed(err);
    }
    this.child = child;
    this.pid = child.pid;
    this.group = new ProcessGroup(child.pid, { inspector: this.deps.inspector, logger: this.deps.logger, note });
    this.startedAt = Date.now();
    // if DevMesh dies, the reaper stops it the way a stop would (a database's own shutdown, its stop time)
    this.deps.reaper.watch(child.pid, { signal: cfg.stopSignal, timeoutMs: cfg.stopTimeoutMs });
    this.deps.logs.append(
      this.deps.project,
      cfg.name,
      'system',
      `started pid ${child.pid} on port ${this.port}: ${command}`,
    );
    this.saveInfo();
    this.exited = this.watchProcess(child);
    this.health = new HealthMonitor(
      launch?.health ?? cfg.health,
      this.port,
      { cwd, env },
      {
        healthy: (detail) => this.onHealthy(detail),
        unhealthy: (detail) => this.state !== 'stopping' && this.setState('unhealthy', detail),
      },
    );
    this.health.start();
  }

  private watchProcess(child: ChildProcess): Promise<void> {
    const pid = child.pid!;
    const { project } = this.deps;
    const name = this.config.name;
    const out = new LineSplitter((l) => this.deps.logs.append(project, name, 'stdout', l));
    const err = new LineSplitter((l) => this.deps.logs.append(project, name, 'stderr', l));
    child.stdout!.on('data', (d: Buffer) => out.write(d));
    child.stderr!.on('data', (d: Buffer) => err.write(d));
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    const group = this.group!;
    return new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.health?.dispose();
        this.health = null;
        void group
          .ended(this.stopSettings(), this.state === 'stopping')
          .then(() => Promise.race([closed, new Promise<void>((r) => setTimeout(r, PIPE_DRAIN_MS).unref())]))
          .then(() => {
            out.end();
            err.end();
            this.deps.reaper.unwatch(pid);
            this.onExit(code, signal);
            resolve();
          });
      });
    });
  }

  /**
   * A start that failed is recorded as crashed, and its cause is what the caller gets: nothing that goes
   * wrong while recording it (a store on a full disk, a listener) may stand in for the cause the user needs.
   */
  private startFailed(cause: unknown): never {
    const message = cause instanceof Error ? cause.message : String(cause);
    try {
      this.setState('crashed', message);
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message, cause: message }, 'could not record a failed start');
    }
    throw cause;
  }

  private onHealthy(detail: string): void {
    if (this.state !== 'starting' && this.state !== 'unhealthy') return;
    this.setState('healthy', detail);
    if (this.resetTimer) clearTimeout(this.resetTimer);
    this.resetTimer = setTimeout(() => this.backoff.reset(), this.config.restart.resetAfterMs);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.health?.dispose();
    this.health = null;
    if (this.resetTimer) clearTimeout(this.resetTimer);
    this.group?.dispose();
    this.group = null;
    this.child = null;
    this.pid = null;
    this.startedAt = null;
    const how = code !== null ? `exited with code ${code}` : `killed by ${signal}`;
    if (this.state === 'stopping') {
      // Ending on the stop signal we sent is the clean outcome, not a kill worth alarming anyone about.
      const ended = code !== null || signal === 'SIGKILL' ? how : `ended by ${signal}`;
      this.setState('stopped', this.killedAfterTimeout ? this.stopReason : `${this.stopReason} (${ended})`);
      return;
    }
    const lastError = [...this.deps.logs.tail(this.deps.project, this.name, 50)]
      .reverse()
      .find((l) => l.stream === 'stderr' && l.text.trim());
    const verdict = judgeExit({ code, signal, lastError: lastError?.text ?? null }, this.config.restart, this.backoff);
    if (verdict.kind !== 'restart') return this.setState(verdict.kind, verdict.reason);
    this.setState('crashed', verdict.crash);
    this.setState('backing-off', verdict.reason);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      this.restarts++;
      this.spawnProcess(`restart ${this.backoff.consecutive} after a crash`).catch((e: Error) =>
        this.deps.logger.warn({ err: e.message }, 'restart failed'),
      );
    }, verdict.delayMs);
  }

  private setState(to: ServiceState, reason: string): void {
    const from = this.state;
    this.state = to;
    this.reason = reason;
    this.since = Date.now();
    const info = this.info();
    const event = {
      type: 'service.state' as const,
      ts: this.since,
      project: this.deps.project,
      service: this.name,
      from,
      to,
      reason,
      info,
    };
    this.deps.registry.save(info, this.deps.projectRoot, this.stopSettings());
    this.deps.registry.recordTransition(event);
    this.deps.logs.append(this.deps.project, this.name, 'system', `${to}: ${reason}`);
    this.deps.logger.info({ from, to, reason }, 'service state');
    this.deps.events.emit(event);
    this.waiters.check();
  }

  private saveInfo(): void {
    this.deps.registry.save(this.info(), this.deps.projectRoot, this.stopSettings());
  }

  private stopSettings(): StopSettings {
    return { signal: this.config.stopSignal, timeoutMs: this.config.stopTimeoutMs };
  }

  private clearBackoffTimer(): void {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }
}
