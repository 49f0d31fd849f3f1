// The composition root of the core: wires the store, the event bus, the log store, the process reaper and
// the project manager by hand. Both faces (the Electron main process and the headless daemon) create one
// DevMeshCore and dispose it on exit; disposing it stops every service and releases every resource.
import type { Logger } from 'pino';
import type { Database } from './store/database.js';
import { HomeStore, type BackupSettings } from './store/home-store.js';
import { EventBus } from './events/event-bus.js';
import { DevMeshHome } from './home/devmesh-home.js';
import { LogStore } from './store/log-store.js';
import { ServiceRegistry } from './services/service-registry.js';
import { ProjectManager } from './projects/project-manager.js';
import { proxyBaseUrl } from './services/dependency-address.js';
import { meshServicesOf, projectRootOf, terminalContextOf } from './project-views.js';
import { ProcessReaper } from './services/process-reaper.js';
import { ServiceCaBundle } from './services/service-ca-bundle.js';
import { createLogger } from './logging/create-logger.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ProxyInfo } from '../../shared/proxy.js';
import { RouteTable, type ProxyUrls } from './proxy/route-table.js';
import { RequestLog } from './proxy/request-log.js';
import { TrafficStats } from './proxy/traffic-stats.js';
import { ProxyServer } from './proxy/proxy-server.js';
import { LocalCertificateAuthority } from './tls/local-certificate-authority.js';
import { UserSettings, type UserSettingsData } from './settings/user-settings.js';
import type { MeshInfo, ServiceGraph } from '../../shared/mesh.js';
import { MeshMembership } from './mesh/mesh-membership.js';
import { MeshNode } from './mesh/mesh-node.js';
import { MdnsDiscovery, MESH_PROTOCOL_VERSION } from './mesh/mdns-discovery.js';
import { ServiceGraphBuilder } from './mesh/service-graph-builder.js';
import { VersionAlertStore } from './mesh/version-alert-store.js';
import { MismatchRecorder, VERSION_ALERT_RULE } from './mesh/mismatch-recorder.js';
import { PeerIngressRoutes } from './mesh/peer-ingress-routes.js';
import { RouteChooser } from './proxy/route-chooser.js';
import type { Disposable } from './base/disposable.js';
import { TerminalManager } from './terminals/terminal-manager.js';
import { AgentManager } from './agents/agent-manager.js';
import { AgentStore } from './agents/agent-store.js';
import { AgentProfiles } from './agents/agent-profiles.js';
import { AgentDetector } from './agents/agent-detector.js';
import { WorktreeManager } from './agents/worktree-manager.js';
import { ResourceBudget } from './agents/resource-budget.js';
import { ManagedTerminalLauncher } from './agents/managed-terminal-launcher.js';
import { Coordination, type CoordinationOptions } from './coordination/coordination.js';
import { ProjectCommands } from './projects/project-commands.js';
import type { RecordingStore } from './terminals/recording-store.js';
import { AgentSessionSetup } from './agents/agent-session-setup.js';
import type { DevMeshCommandLineSpec } from './agents/session-command-line.js';
import type { AuditDurability } from './audit/audit-log.js';
import { DaemonHealth } from './health/daemon-health.js';
import { StoreGuard } from './health/store-guard.js';
import { RecoveryModule } from './recovery/recovery-module.js';
import type { ShellEnvResolution } from './environment/login-shell-env.js';
import { stripPackagingEnv } from './environment/packaging-env.js';
import { reportShellEnv } from './environment/shell-env-report.js';

const EVENT_HANDLER_RULE =
  'the part that failed to follow an event (a store writing what it heard) missed that one event; every other ' +
  'listener got it, and the daemon and its services keep running';

export interface DevMeshCoreOptions {
  home: DevMeshHome;
  version: string;
  logger?: Logger;
  /** projects to open at start (their roots); project open errors are logged, not fatal */
  projects?: string[];
  /** 'grouped' (default): every audit entry is on disk before the call that decided it is answered */
  auditDurability?: AuditDurability;
  /**
   * How agents' generated files (MCP registration, the Claude Code edit hook, git hooks) run `devmesh`
   * again; null or absent: agents get none of them.
   */
  devmeshCommand?: DevMeshCommandLineSpec | null;
  /** the task board's clocks (tests shorten them); the defaults are CoordinationOptions' */
  coordination?: Pick<CoordinationOptions, 'silentAfterMs' | 'biddingWindowMs' | 'heartbeatMs'>;
  /** the store's rolling backups (default: at start and every 6 h, 3 kept) */
  backups?: BackupSettings;
  /**
   * The environment every child (service, terminal, agent, CLI probe) starts from: the desktop app's
   * login-shell environment (LoginShellEnv). Absent (the headless daemon, started from a terminal): this
   * process's own, without the packaging's variables.
   */
  environment?: ShellEnvResolution;
}

export interface CoreDescription {
  version: string;
  pid: number;
  startedAt: number;
  home: string;
  node: string;
}

export class DevMeshCore {
  readonly startedAt = Date.now();
  private disposed = false;
  private proxyPorts: ProxyUrls = { httpPort: null, httpsPort: null };
  private proxyProblems: string[] = [];
  /** where the peer ingress listens; null when this agent is in no mesh or the port was busy */
  ingressPort: number | null = null;
  /** the store with its backups; the face took the home's hold (HomeLock) before opening the core */
  private store: HomeStore | null = null;
  /** what this start recovered from the last run; records this run's end at dispose */
  private recovery: RecoveryModule | null = null;

  private constructor(
    readonly home: DevMeshHome,
    readonly version: string,
    readonly logger: Logger,
    readonly database: Database,
    readonly events: EventBus,
    readonly logs: LogStore,
    readonly registry: ServiceRegistry,
    readonly reaper: ProcessReaper,
    readonly projects: ProjectManager,
    readonly settings: UserSettingsData,
    readonly ca: LocalCertificateAuthority,
    readonly traffic: TrafficStats,
    readonly requests: RequestLog,
    readonly routes: RouteTable,
    readonly proxy: ProxyServer,
    readonly mesh: MeshNode,
    private readonly meshFeed: Disposable,
    readonly alerts: VersionAlertStore,
    /** where teammates' proxies send the requests they route here (members only, this machine's instances only) */
    readonly ingress: ProxyServer,
    private readonly mismatches: MismatchRecorder,
    /** PTY sessions, owned here so they outlive any window or page */
    readonly terminals: TerminalManager,
    /** AI coding agents in terminals: the manager, which CLIs are installed, and the profiles they run with */
    readonly agents: { manager: AgentManager; detector: AgentDetector; profiles: AgentProfiles; events: Disposable },
    /** locks, the audit chain, tasks, messages and shared state */
    readonly coordination: Coordination,
    /** the daemon's own problems (stores failing on a full disk…), raised as health.changed */
    readonly health: DaemonHealth,
  ) {}

  /** the project and service calls, answered once what they recorded in the audit chain is on disk */
  get projectCommands(): ProjectCommands {
    return (this.commands ??= new ProjectCommands({ projects: this.projects, settled: () => this.coordination.trail.settled() }));
  }
  private commands: ProjectCommands | null = null;

  /** the terminals' asciicast recordings */
  get recordings(): RecordingStore {
    return this.terminals.recordings;
  }

  static async open(options: DevMeshCoreOptions): Promise<DevMeshCore> {
    const home = options.home;
    home.ensure();
    const logger = options.logger ?? createLogger({ name: 'devmesh' });
    const settings = UserSettings.load(home.dir);
    const ca = await LocalCertificateAuthority.open(join(home.dir, 'ca'));
    const store = HomeStore.open(home, logger);
    const database = store.database;
    const events = new EventBus();
    const health = new DaemonHealth({ logger: logger.child({ domain: 'health' }), emit: (e) => events.emit(e) });
    store.startBackups(health, options.backups);
    const environment = options.environment ?? {
      env: stripPackagingEnv(process.env),
      outcome: { kind: 'skipped', reason: 'the headless daemon keeps the environment it was started with' },
    };
    reportShellEnv(environment, { logger, health });
    const baseEnv = environment.env;
    // what a listener threw (a task store on a full disk hearing an agent exit) is a problem, not a crash
    events.onListenerError = (err) =>
      health.fail({ component: 'event handlers', error: err, where: home.databasePath, rule: EVENT_HANDLER_RULE });
    const logs = new LogStore(database, events, { health });
    const registry = new ServiceRegistry(database, { health });
    const recoveryLogger = logger.child({ domain: 'recovery' });
    const recovery = RecoveryModule.open({ database, events, health, logger: recoveryLogger, notesDir: join(home.dir, 'runs') });
    const reaper = ProcessReaper.start(logger.child({ domain: 'reaper' }), { note: recovery.reaperNote, env: baseEnv });
    // Services and terminals left behind by a daemon that died without its reaper: stopped before anything
    // starts, and what happened to them kept in their history.
    await recovery.reconcile(registry, logs);
    // Services trust the local CA (with the user's own NODE_EXTRA_CA_CERTS), to call each other through https.
    const serviceCa = new ServiceCaBundle({ caPath: ca.certPath, dir: join(home.dir, 'service-ca') });
    let chooser: RouteChooser | null = null;
    const projects = new ProjectManager({
      events,
      logs,
      registry,
      reaper,
      serviceCa,
      baseEnv,
      logger: logger.child({ domain: 'projects' }),
      mesh: {
        proxyBase: () => proxyBaseUrl(core?.proxyPorts.httpPort),
        peerServing: (project, service, range) => chooser?.peerServing(project, service, range) ?? null,
      },
    });
    const traffic = new TrafficStats(events);
    const requests = new RequestLog(database, events, traffic, { health, where: home.databasePath });
    let core: DevMeshCore | null = null;
    const alerts = new VersionAlertStore(database, events);
    const mismatches = new MismatchRecorder(
      alerts,
      new StoreGuard(health, { component: 'version alerts', where: home.databasePath, rule: VERSION_ALERT_RULE }),
    );
    const membership = new MeshMembership(home.dir);
    const mesh = new MeshNode({
      membership,
      settings: settings.mesh,
      events,
      logger: logger.child({ domain: 'mesh' }),
      services: () => meshServicesOf(projects),
      ingressPort: () => core?.ingressPort ?? null,
      // Requests in flight to a teammate who fell silent would wait for the idle timeout: end them now.
      onPeerGone: (gone) => core?.proxy.dropTarget(gone.host, gone.port, `${gone.name} is gone (${gone.reason})`),
      startMdns: (node, meshId, port) => {
        const mdns = new MdnsDiscovery({
          advert: { agentId: node.agentId, name: node.name, meshId, port, protocol: MESH_PROTOCOL_VERSION },
          logger: logger.child({ domain: 'mdns' }),
          addresses: () => node.servedAddresses(),
          onCandidate: (c) => {
            const ip = c.addresses[0];
            if (ip) node.offer({ agentId: c.agentId, meshId: c.meshId, address: ip.includes(':') ? `[${ip}]:${c.port}` : `${ip}:${c.port}`, via: 'mdns' });
          },
        });
        mdns.start();
        return () => mdns.dispose();
      },
    });
    chooser = new RouteChooser(mesh, (r) => mismatches.record(r));
    const routes = new RouteTable(projects, events, () => core?.proxyPorts ?? { httpPort: null, httpsPort: null }, chooser);
    const instanceId = randomBytes(6).toString('hex');
    const proxy = new ProxyServer({
      routes,
      requests,
      tls: ca,
      host: settings.proxy.host,
      httpPort: settings.proxy.httpPort,
      httpsPort: settings.proxy.httpsPort,
      instanceId,
      logger: logger.child({ domain: 'proxy' }),
    });
    // The same instance id as the proxy: a request that comes back through this agent is a loop. HTTPS
    // only, with the mesh node's certificate, which peers receive over their authenticated links and pin.
    const ingress = new ProxyServer({
      routes: new PeerIngressRoutes(routes, mesh),
      requests,
      tls: {
        certPath: '',
        secureContextFor: (name) => mesh.tls!.secureContextFor(name),
        defaultContext: () => mesh.tls!.defaultContext(),
        defaultCredentials: () => mesh.tls!.defaultCredentials(),
      },
      host: settings.mesh.host,
      httpPort: null,
      httpsPort: settings.mesh.ingressPort,
      instanceId,
      logger: logger.child({ domain: 'proxy', listener: 'peer-ingress' }),
      names: { http: 'peer ingress', httpSetting: 'mesh.ingress_port', https: 'peer ingress', httpsSetting: 'mesh.ingress_port' },
    });
    // Every local change the mesh should hear of: a state change, a project opened, closed or reloaded.
    const meshFeed = events.onDidEmitEvent((e) => {
      if (e.type === 'service.state' || e.type.startsWith('project.')) mesh.servicesChanged();
    });
    let agents: AgentManager | null = null;
    const terminals = new TerminalManager({
      events,
      logger: logger.child({ domain: 'terminals' }),
      onInput: (id) => agents?.noteTerminalInput(id),
      recordingsDir: join(home.dir, 'recordings'),
      baseEnv,
      health,
      reaper,
      project: (ref) => terminalContextOf(projects, ref, core?.proxyPorts.httpPort ?? null),
    });
    const agentProfiles = new AgentProfiles(settings.agents.profiles);
    agents = new AgentManager({
      store: new AgentStore(database, health),
      launcher: new ManagedTerminalLauncher(terminals),
      profiles: agentProfiles,
      worktrees: new WorktreeManager(settings.agents.worktreeRoot, 'git', baseEnv),
      budget: new ResourceBudget(settings.agents.budget),
      projects: { rootOf: (ref) => projectRootOf(projects, ref) },
      session: new AgentSessionSetup({ homeDir: home.dir, devmesh: options.devmeshCommand ?? null, baseEnv, logger: logger.child({ domain: 'agents' }) }),
      logger: logger.child({ domain: 'agents' }),
    });
    const agentEvents = agents.onDidChangeStatus((e) => events.emit(e));
    const coordination = new Coordination({
      database, events, projects, agents, terminals, health, homeDir: home.dir, logger,
      auditMirrorPath: home.auditMirrorPath, auditDurability: options.auditDurability, ...options.coordination,
      nextLockId: recovery.nextLockId,
    });
    recovery.record(coordination);
    core = new DevMeshCore(home, options.version, logger, database, events, logs, registry, reaper, projects, settings, ca, traffic, requests, routes, proxy, mesh, meshFeed, alerts, ingress, mismatches, terminals, { manager: agents, detector: new AgentDetector({ env: baseEnv }), profiles: agentProfiles, events: agentEvents }, coordination, health);
    core.store = store;
    core.recovery = recovery;
    traffic.start();
    if (settings.proxy.enabled) {
      const listening = await proxy.listen();
      core.proxyPorts = { httpPort: listening.httpPort, httpsPort: listening.httpsPort };
      core.proxyProblems = listening.problems;
      for (const problem of listening.problems) logger.warn({ domain: 'proxy', problem }, 'proxy listener not started');
    }
    const ingressProblems = await core.listenIngress();
    await mesh.start();
    for (const problem of ingressProblems) mesh.addProblem(problem);
    for (const root of options.projects ?? []) {
      try {
        await projects.open(root);
      } catch (err) {
        logger.error({ domain: 'projects', root, err: (err as Error).message }, 'could not open project');
        // The caller never gets the core: release what it holds (services of projects already open too).
        await core.dispose();
        throw err;
      }
    }
    return core;
  }

  proxyInfo(): ProxyInfo {
    const { httpPort, httpsPort } = this.proxyPorts;
    return {
      httpUrl: httpPort === null ? null : `http://localhost:${httpPort}`,
      httpsUrl: httpsPort === null ? null : `https://localhost:${httpsPort}`,
      problems: this.settings.proxy.enabled ? [...this.proxyProblems] : ['the proxy is disabled in config.yaml (proxy.enabled: false)'],
      caCertPath: this.ca.certPath,
      unstoredRequests: this.requests.unstored,
    };
  }

  graph(): ServiceGraph {
    return ServiceGraphBuilder.build({
      self: { agentId: this.mesh.agentId, name: this.mesh.name },
      local: meshServicesOf(this.projects),
      peers: this.mesh.list(),
      traffic: this.traffic.snapshot(),
      edgeTraffic: this.traffic.edges(),
    });
  }

  /** The membership changed on disk (`devmesh mesh init|join|leave`): the mesh starts over with it. */
  async reloadMesh(): Promise<MeshInfo> {
    const problems = await this.listenIngress();
    await this.mesh.reload();
    for (const problem of problems) this.mesh.addProblem(problem);
    return this.mesh.info();
  }

  /**
   * Opens the peer ingress once this agent is in a mesh, before any link comes up (every link announces
   * its port). Returns what went wrong, for the mesh's problems.
   */
  private async listenIngress(): Promise<string[]> {
    if (this.ingressPort !== null || !this.settings.proxy.enabled) return [];
    try {
      if (new MeshMembership(this.home.dir).read() === null) return [];
    } catch {
      return []; // MeshNode.start reports the unreadable membership
    }
    await this.mesh.prepareTls();
    const listening = await this.ingress.listen();
    this.ingressPort = listening.httpsPort;
    for (const problem of listening.problems) this.logger.warn({ domain: 'proxy', listener: 'peer-ingress', problem }, 'peer ingress not started');
    return listening.problems.map((p) => `${p} Teammates cannot route requests to this machine's services.`);
  }

  describe(): CoreDescription {
    return { version: this.version, pid: process.pid, startedAt: this.startedAt, home: this.home.dir, node: process.version };
  }

  /** Stops every service (each with its stop signal and timeout), then closes the store. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.meshFeed.dispose();
    // First: shells and agents may be talking to the services that stop next.
    this.agents.events.dispose();
    this.agents.manager.dispose();
    await this.terminals.dispose();
    await this.mesh.close();
    await this.ingress.close();
    await this.proxy.close();
    this.mismatches.flush();
    this.routes.dispose();
    this.traffic.dispose();
    await this.projects.dispose();
    this.requests.dispose();
    this.logs.dispose();
    this.registry.dispose();
    this.reaper.dispose();
    this.recovery?.shutDown(this.coordination);
    // Last before the store: services stopping above are decisions the chain records.
    this.coordination.dispose();
    if (this.store) await this.store.close();
    else this.database.close();
  }
}
