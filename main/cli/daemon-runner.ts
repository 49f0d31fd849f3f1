// The headless daemon (`devmesh up` in the foreground): the composition root of the daemon face. Opens the
// core with the requested projects, serves DevMeshApi on the loopback port, records itself in
// $DEVMESH_HOME/daemon.json, and on shutdown (signal or `daemon.shutdown`) stops every service, closes the
// server and clears the record.
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DevMeshError } from '../../shared/errors.js';
import type { ProxyInfo } from '../../shared/proxy.js';
import type { ProjectInfo } from '../../shared/service.js';
import { ApiServer } from '../api/api-server.js';
import { DevMeshApi } from '../api/devmesh-api.js';
import { DevMeshCore } from '../core/devmesh-core.js';
import type { DevMeshHome } from '../core/home/devmesh-home.js';
import { HomeLock } from '../core/home/home-lock.js';
import type { BackupSettings } from '../core/store/home-store.js';
import { createLogger } from '../core/logging/create-logger.js';
import { FatalErrorLog } from '../core/logging/fatal-error-log.js';
import { loadNativeModules, type NativeModuleProblem } from '../core/native/native-modules.js';

export interface DaemonRunnerDeps {
  home: DevMeshHome;
  version: string;
  host?: string;
  port: number;
  /** serve the UI and the API over HTTPS too, on this loopback port (0: any free port); undefined: not */
  httpsPort?: number;
  projects: string[];
  rendererDir: string | null;
  /** how agents' hooks and MCP registration run this CLI again (see AgentSessionSetup) */
  devmeshCommand?: { command: string; args: string[] } | null;
  /** where the daemon's structured log goes; default $DEVMESH_HOME/logs/daemon.log */
  logger?: Logger;
  /** the store's rolling backups (`DEVMESH_BACKUP_INTERVAL`) */
  backups?: BackupSettings;
  /** shown to a second `devmesh up` that is refused: what it could run instead */
  refusalHint?: string;
  /** loads the native modules before anything uses them (default: loadNativeModules); null when they load */
  loadNativeModules?: () => Pick<NativeModuleProblem, 'title' | 'message'> | null;
}

export interface DaemonStarted {
  port: number;
  url: string;
  /** `https://localhost:<port>/` with `httpsPort`, else null */
  httpsUrl: string | null;
  projects: ProjectInfo[];
  proxy: ProxyInfo;
}

export class DaemonRunner {
  private core: DevMeshCore | null = null;
  private server: ApiServer | null = null;
  /** one DevMesh per home: held from before the store is touched until everything is released */
  private lock: HomeLock | null = null;
  private stopping: Promise<void> | null = null;
  private readonly logger: Logger;
  /** an error no seam caught goes to daemon.log before the process exits (own logger only) */
  private readonly fatal: FatalErrorLog | null = null;
  private resolveDone!: (reason: string) => void;
  /** resolves with what stopped the daemon, once everything is released */
  readonly done: Promise<string>;

  constructor(private readonly deps: DaemonRunnerDeps) {
    deps.home.ensure();
    const logPath = join(deps.home.logDir, 'daemon.log');
    this.logger = deps.logger ?? createLogger({ name: 'devmesh', destination: logPath });
    if (deps.logger === undefined)
      this.fatal = new FatalErrorLog({ logger: this.logger, logPath, what: 'the DevMesh daemon' });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Starts everything; on failure releases what was acquired and throws the DevMeshError. */
  async start(): Promise<DaemonStarted> {
    const { home, version, port, rendererDir } = this.deps;
    const host = this.deps.host ?? '127.0.0.1';
    // Before the home lock (SQLite): a binary that will not load is explained, as the desktop app explains it.
    const native = (this.deps.loadNativeModules ?? loadNativeModules)();
    if (native) {
      this.logger.error({ domain: 'daemon', err: native.message }, native.title);
      throw new DevMeshError('NATIVE_MODULE_FAILED', `${native.title}\n${native.message}`);
    }
    // First: a second daemon on this home would reconcile (stop) the first one's services when it opens the store.
    const lock = await HomeLock.acquire(home, 'daemon', { hint: this.deps.refusalHint });
    this.lock = lock;
    try {
      // Fail on a busy port before any service starts, rather than after the projects' autostart.
      if (port !== 0) await DaemonRunner.assertPortFree(host, port);
    } catch (err) {
      this.releaseLock();
      throw err;
    }
    const token = home.readOrCreateToken();
    this.logger.info({ domain: 'daemon', version, port, projects: this.deps.projects }, 'daemon starting');
    try {
      const core = await DevMeshCore.open({
        home,
        version,
        logger: this.logger,
        projects: this.deps.projects,
        devmeshCommand: this.deps.devmeshCommand ?? null,
        backups: this.deps.backups,
      });
      this.core = core;
      const server = new ApiServer({
        api: this.createApi(),
        token,
        tokenFile: home.tokenPath,
        host,
        port,
        rendererDir,
        logger: this.logger.child({ domain: 'api' }),
        ...(this.deps.httpsPort === undefined
          ? {}
          : { https: { port: this.deps.httpsPort, credentials: () => core.ca.defaultCredentials() } }),
      });
      this.server = server;
      const address = await server.listen();
      home.writeDaemonRecord({
        pid: process.pid,
        port: address.port,
        url: address.url,
        version,
        face: 'daemon',
        startedAt: this.core.startedAt,
      });
      lock.announce(address.url);
      this.logger.info({ domain: 'daemon', url: address.url }, 'daemon up');
      return { ...address, projects: this.core.projects.list(), proxy: this.core.proxyInfo() };
    } catch (err) {
      this.logger.error({ domain: 'daemon', err: (err as Error).message }, 'daemon failed to start');
      await this.release();
      throw err;
    }
  }

  /** Stops services, closes the server, clears daemon.json; idempotent. */
  shutdown(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info({ domain: 'daemon', reason }, 'daemon stopping');
      await this.release();
      this.logger.info({ domain: 'daemon' }, 'daemon stopped');
      this.fatal?.dispose();
      this.resolveDone(reason);
    })();
    return this.stopping;
  }

  private createApi(): DevMeshApi {
    return new DevMeshApi(this.core!, {
      face: 'daemon',
      apiUrl: () => this.server?.apiUrl ?? null,
      requestShutdown: () => {
        void this.shutdown('daemon.shutdown');
      },
    });
  }

  // The server goes first so no new call can start a service while the core stops them all.
  private async release(): Promise<void> {
    const server = this.server;
    const core = this.core;
    this.server = null;
    this.core = null;
    try {
      if (server) await server.close();
    } finally {
      try {
        if (core) await core.dispose();
      } finally {
        this.deps.home.clearDaemonRecord(process.pid);
        this.releaseLock();
      }
    }
  }

  private releaseLock(): void {
    const lock = this.lock;
    this.lock = null;
    lock?.release();
  }

  private static assertPortFree(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new DevMeshError(
                'PORT_BUSY',
                `port ${port} on ${host} is already in use (another DevMesh or another program); pick another with \`devmesh up --port N\` (or --port 0 for any free port)`,
              )
            : new DevMeshError(
                'PORT_BUSY',
                `cannot listen on ${host}:${port} (${err.message}); pick another port with \`devmesh up --port N\``,
              ),
        );
      });
      probe.listen(port, host, () => probe.close(() => resolve()));
    });
  }
}
