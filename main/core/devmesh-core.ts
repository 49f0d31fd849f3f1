// The composition root of the core: opens each domain's module in order and owns them in one
// DisposableStore, so disposing the core is the reverse of opening it and a failure while opening
// releases everything opened so far. Both faces (the Electron main process and the headless daemon)
// create one DevMeshCore and dispose it on exit; disposing it stops every service and releases every resource.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MeshInfo, ServiceGraph } from '../../shared/mesh.js';
import type { ProxyInfo } from '../../shared/proxy.js';
import { AgentsModule } from './agents/agents-module.js';
import { AgentDeliveryModule } from './agents/agent-delivery-module.js';
import type { AgentInbox } from './agents/agent-inbox.js';
import { ProjectCommands } from './projects/project-commands.js';
import type { RecordingStore } from './terminals/recording-store.js';
import type { DevMeshCommandLineSpec } from './agents/session-command-line.js';
import type { AuditDurability } from './audit/audit-log.js';
import { DisposableStore } from './base/disposable.js';
import type { Coordination, CoordinationDeps } from './coordination/coordination.js';
import { TeamModule } from './team/team-module.js';
import { CoordinationModule } from './coordination/coordination-module.js';
import type { ShellEnvResolution } from './environment/login-shell-env.js';
import type { DaemonHealth } from './health/daemon-health.js';
import type { DevMeshHome } from './home/devmesh-home.js';
import { createLogger } from './logging/create-logger.js';
import { MeshModule } from './mesh/mesh-module.js';
import type { MeshNode } from './mesh/mesh-node.js';
import * as serviceGraphBuilder from './mesh/service-graph-builder.js';
import type { VersionAlertStore } from './mesh/version-alert-store.js';
import { meshServicesOf } from './project-views.js';
import { PeerServingPort } from './projects/peer-serving-port.js';
import type { ProjectManager } from './projects/project-manager.js';
import { ProjectsModule } from './projects/projects-module.js';
import { ListeningPorts } from './proxy/listening-ports.js';
import { ProxyModule } from './proxy/proxy-module.js';
import { databaseUrl } from './databases/database-url.js';
import type { ProxyServer } from './proxy/proxy-server.js';
import type { RequestLog } from './proxy/request-log.js';
import type { RouteTable } from './proxy/route-table.js';
import type { TcpRoutes } from './proxy/tcp/tcp-routes.js';
import type { PeerTunnelDialer } from './proxy/tcp/peer-tunnel-dialer.js';
import type { TunnelIngress } from './proxy/tcp/tunnel-ingress.js';
import type { TrafficStats } from './proxy/traffic-stats.js';
import type { ProcessReaper } from './services/process-reaper.js';
import type { ServiceRegistry } from './services/service-registry.js';
import { ServicesModule } from './services/services-module.js';
import * as userSettings from './settings/user-settings.js';
import type { UserSettingsData } from './settings/user-settings.js';
import type { Database } from './store/database.js';
import type { BackupSettings } from './store/home-store.js';
import type { LogStore } from './logs/log-store.js';
import { StoreModule } from './store/store-module.js';
import type { TerminalManager } from './terminals/terminal-manager.js';
import { TerminalsModule } from './terminals/terminals-module.js';
import { LocalCertificateAuthority } from './tls/local-certificate-authority.js';
import { FilesModule, type FilesModuleDeps } from './files/files-module.js';
import type { EventBus } from './events/event-bus.js';
import type { LockClock } from './locks/lock-clock.js';
import type { ReminderScheduler } from './reminders/reminder-scheduler.js';
import { RemindersModule } from './reminders/reminders-module.js';
import type { ReviewModule } from './review/review-module.js';
import { reviewModule } from './review-ports.js';
import { UsageModule } from './usage/usage-module.js';
import { MetricsModule } from './metrics/metrics-module.js';
import { DatabasesModule, type DatabasesModuleDeps } from './databases/databases-module.js';
import type { SnapshotsModule } from './databases/snapshots-module.js';
import type { DatabaseManager } from './databases/database-manager.js';

export interface DevMeshCoreDeps {
  home: DevMeshHome;
  version: string;
  logger?: Logger;
  /** projects to open at start (their roots); a project that fails to open fails the start */
  projects?: string[];
  /** 'grouped' (default): every audit entry is on disk before the call that decided it is answered */
  auditDurability?: AuditDurability;
  /**
   * How agents' generated files (MCP registration, the Claude Code edit hook, git hooks) run `devmesh`
   * again; null or absent: agents get none of them.
   */
  devmeshCommand?: DevMeshCommandLineSpec | null;
  /** the file watchers' debounce (tests shorten it; the defaults are ChangeBatcher's) */
  files?: Pick<FilesModuleDeps, 'quietMs' | 'maxDelayMs'>;
  /** the task board's clocks (tests shorten them); the defaults are CoordinationDeps' */
  coordination?: Pick<CoordinationDeps, 'silentAfterMs' | 'biddingWindowMs' | 'heartbeatMs'>;
  /** the team across the mesh (tests shorten the grace a teammate's machine gets before its tasks are re-queued) */
  team?: { taskGraceMs?: number };
  /** the store's rolling backups (default: at start and every 6 h, 3 kept) */
  backups?: BackupSettings;
  /**
   * The environment every child (service, terminal, agent, CLI probe) starts from: the desktop app's
   * login-shell environment (`login-shell-env.ts`). Absent (the headless daemon, started from a terminal): this
   * process's own, without the packaging's variables.
   */
  environment?: ShellEnvResolution;
  /** the reminders' clock and longest timer wait (tests drive fake time) */
  reminders?: { clock?: LockClock; maxWaitMs?: number };
  /** the loopback OTLP receiver's port for agents' token and cost figures (default 0: any free port) */
  usagePort?: number;
  /** where database engines are looked up (tests) */
  databases?: Pick<DatabasesModuleDeps, 'locator'>;
}

export interface CoreDescription {
  version: string;
  pid: number;
  startedAt: number;
  home: string;
  node: string;
}

/** The modules, as DevMeshCore.open built them. */
interface CoreModules {
  store: StoreModule;
  services: ServicesModule;
  projects: ProjectsModule;
  mesh: MeshModule;
  proxy: ProxyModule;
  terminals: TerminalsModule;
  agents: AgentsModule;
  coordination: CoordinationModule;
  team: TeamModule;
  delivery: AgentDeliveryModule;
  reminders: RemindersModule;
  files: FilesModule;
  review: ReviewModule;
  usage: UsageModule;
  databases: DatabasesModule;
  metrics: MetricsModule;
}

export class DevMeshCore {
  readonly startedAt = Date.now();
  readonly database: Database;
  readonly events: EventBus;
  /** the daemon's own problems (stores failing on a full disk…), raised as health.changed */
  readonly health: DaemonHealth;
  readonly logs: LogStore;
  readonly registry: ServiceRegistry;
  readonly reaper: ProcessReaper;
  readonly projects: ProjectManager;
  readonly traffic: TrafficStats;
  readonly requests: RequestLog;
  readonly routes: RouteTable;
  readonly proxy: ProxyServer;
  /** where teammates' proxies send the requests they route here (members only, this machine's instances only) */
  readonly ingress: ProxyServer;
  /** TCP services' stable addresses (`protocol: tcp`) and what they carried */
  readonly tcp: TcpRoutes;
  /** teammates' TCP services and published snapshots, through their peer ingress (tunnel-protocol.ts) */
  readonly tunnels: PeerTunnelDialer;
  /** the ingress's tunnel side; `serveSnapshots` tells it what this machine published */
  readonly tunnelIngress: TunnelIngress;
  readonly mesh: MeshNode;
  readonly alerts: VersionAlertStore;
  /** PTY sessions, owned here so they outlive any window or page */
  readonly terminals: TerminalManager;
  /** AI coding agents in terminals: the manager, which CLIs are installed, and the profiles they run with */
  readonly agents: Pick<AgentsModule, 'manager' | 'detector' | 'profiles'>;
  /** locks, the audit chain, tasks, messages and shared state */
  readonly coordination: Coordination;
  /** what each running agent has not seen yet (messages, team notices), for its context hooks */
  readonly inbox: AgentInbox;
  /** the project and service calls, answered once what they recorded in the audit chain is on disk */
  readonly projectCommands: ProjectCommands;
  /** agents, locks, tasks, messages and state shared with teammates' machines over the mesh */
  readonly team: TeamModule;
  /** scheduled messages from `devmesh` (reminders.*) */
  readonly reminders: ReminderScheduler;
  /** the watched folders (projects' checkouts, agents' worktrees) and what changed in them */
  readonly files: FilesModule;
  /** an agent's changes against its base branch, and landing or discarding them; a project's git status */
  readonly review: ReviewModule;
  /** what agents cost: the OTLP receiver, figures per agent and task, budgets */
  readonly usage: UsageModule;
  /** the databases DevMesh runs for services (`database:` blocks) */
  readonly databases: DatabaseManager;
  /** databases' snapshots, restore, reset, publishing and pulls from teammates (issue 17) */
  readonly databaseSnapshots: SnapshotsModule;
  /** what every service, agent and terminal uses (CPU, memory, connections, GPU), its history and alerts */
  readonly metrics: MetricsModule;

  private constructor(
    readonly home: DevMeshHome,
    readonly version: string,
    readonly logger: Logger,
    readonly settings: UserSettingsData,
    readonly ca: LocalCertificateAuthority,
    private readonly ports: ListeningPorts,
    private readonly modules: CoreModules,
    private readonly disposables: DisposableStore,
  ) {
    const { store, services, projects, mesh, proxy, terminals, agents, coordination, team, delivery } = modules;
    const { files, usage } = modules;
    this.usage = usage;
    ({ database: this.database, events: this.events, health: this.health } = store);
    ({ logs: this.logs, registry: this.registry, reaper: this.reaper } = services);
    this.projects = projects.manager;
    ({ traffic: this.traffic, requests: this.requests, routes: this.routes } = proxy);
    ({ proxy: this.proxy, ingress: this.ingress, tcp: this.tcp } = proxy);
    ({ tunnels: this.tunnels, tunnelIngress: this.tunnelIngress } = proxy);
    this.mesh = mesh.node;
    this.alerts = mesh.alerts;
    this.terminals = terminals.manager;
    this.agents = agents;
    this.coordination = coordination.coordination;
    this.team = team;
    this.inbox = delivery.inbox;
    this.reminders = modules.reminders.scheduler;
    this.files = files;
    this.review = modules.review;
    this.databases = modules.databases.manager;
    this.databaseSnapshots = modules.databases.snapshots;
    this.metrics = modules.metrics;
    const settled = (): Promise<void> => this.coordination.trail.settled();
    this.projectCommands = new ProjectCommands({ projects: this.projects, settled, copies: agents.copies });
  }

  /** the terminals' asciicast recordings */
  get recordings(): RecordingStore {
    return this.terminals.recordings;
  }

  static async open(deps: DevMeshCoreDeps): Promise<DevMeshCore> {
    const { home } = deps;
    home.ensure();
    const logger = deps.logger ?? createLogger({ name: 'devmesh' });
    const settings = userSettings.load(home.dir);
    const ca = await LocalCertificateAuthority.open(join(home.dir, 'ca'));
    const failedToClose = (err: unknown): void => logger.error({ err }, 'a part of DevMesh failed to close');
    const disposables = new DisposableStore(failedToClose);
    try {
      // Closed last: every part writes to the store.
      const { backups, environment } = deps;
      const store = disposables.add(StoreModule.open({ home, logger, backups, environment }));
      const services = disposables.add(await ServicesModule.open({ home, store, logger, caPath: ca.certPath }));
      // Coordination records what the parts below decide (services stopping, agents exiting) and must close
      // after them, yet it is built from them: it goes into `chain`, which is added (so disposed) before
      // `work` holds them, and it is built once they are.
      const chain = disposables.add(new DisposableStore(failedToClose));
      const work = disposables.add(new DisposableStore(failedToClose));
      const ports = new ListeningPorts();
      const peers = new PeerServingPort();
      // Disposed in reverse: agents and terminals first (they talk to the services), the mesh's goodbye, the
      // proxies, the rest of the mesh, then the projects' services stop, then Coordination.
      const databases = new DatabasesModule({
        home,
        logs: services.logs,
        database: store.database,
        events: store.events,
        logger,
        projects: (): ProjectManager => projects.manager,
        peers: () => mesh.node.routable(),
        dialer: () => proxy.tcpTunnel,
        ports,
        baseEnv: store.baseEnv,
        ...deps.databases,
      });
      const projects: ProjectsModule = work.add(
        new ProjectsModule({ store, services, ports, peers, logger, databases: databases.manager }),
      );
      work.add(databases); // stops following closes before the projects close
      const mesh = work.add(new MeshModule({ home, store, projects, settings: settings.mesh, ports, peers, logger }));
      const proxyDeps = { home, store, projects, mesh, ca, settings, ports, logger, databaseUrl };
      const proxy = work.add(new ProxyModule(proxyDeps));
      proxy.tunnelIngress.serveSnapshots(databases.snapshots.published);
      // Teammates hear this agent's goodbye before its proxies close, so they stop routing here first.
      work.add({ dispose: () => mesh.node.close() });
      const terminals = work.add(new TerminalsModule({ home, store, services, projects, ports, logger }));
      const devmeshCommand = deps.devmeshCommand ?? null;
      // Built before the agents (each launch is pointed at its receiver), disposed after them.
      const usage = work.add(new UsageModule({ store, logger, port: deps.usagePort }));
      // Built before the agents (their start check reads it), which it measures once they exist.
      let measuredAgents: AgentsModule | null = null;
      const measured = {
        projects: () => projects.manager,
        agents: () => measuredAgents?.manager ?? null,
        terminals: () => terminals.manager,
      };
      const projectId = (ref: string): string => projects.manager.resolve(ref).id;
      const metrics = work.add(new MetricsModule({ store, settings: settings.metrics, measured, projectId, logger }));
      const agentDeps = { settings: settings.agents, devmeshCommand, logger, telemetry: usage.telemetry };
      const agents = work.add(new AgentsModule({ home, store, projects, terminals, memory: metrics, ...agentDeps }));
      measuredAgents = agents;
      const coordination = chain.add(
        new CoordinationModule({
          recovery: services.recovery,
          coordination: {
            database: store.database,
            events: store.events,
            projects: projects.manager,
            agents: agents.manager,
            terminals: terminals.manager,
            health: store.health,
            homeDir: home.dir,
            logger,
            auditMirrorPath: home.auditMirrorPath,
            auditDurability: deps.auditDurability,
            ...deps.coordination,
          },
        }),
      );
      // Messages and team events into running agents: after Coordination (its message board, its task
      // prompts typed first at an idle prompt), disposed before it.
      const delivery = chain.add(
        new AgentDeliveryModule({
          events: store.events,
          messages: coordination.coordination.messages,
          agents,
          type: (id, text) => coordination.coordination.deliver(id, text),
          logger,
        }),
      );
      // Disposed first of `work`: no team part sends on a link the mesh is closing.
      const team = work.add(
        new TeamModule({
          store,
          projects,
          mesh,
          agents,
          coordination,
          human: settings.team.human,
          logger,
          taskGraceMs: deps.team?.taskGraceMs,
        }),
      );
      await usage.start({ agents: agents.manager, coordination: coordination.coordination });
      // After the team (reminders are sent through its message path), disposed before it.
      const reminders = work.add(
        new RemindersModule({
          store,
          coordination: coordination.coordination,
          team,
          agents,
          logger,
          ...deps.reminders,
        }),
      );
      // Disposed first of all: no watcher reports while the rest closes.
      const files = work.add(
        new FilesModule({
          events: store.events,
          health: store.health,
          logger,
          projects: projects.manager,
          agents: agents.manager,
          coordination: coordination.coordination,
          env: store.baseEnv,
          ...deps.files,
        }),
      );
      const { worktreeRoot } = settings.agents;
      const review = reviewModule({
        co: coordination.coordination,
        agents: agents.manager,
        worktreeRoot,
        store,
        logger,
      });
      const modules = {
        store,
        services,
        projects,
        mesh,
        proxy,
        terminals,
        agents,
        coordination,
        team,
        delivery,
        files,
        review,
      };
      const parts = { ...modules, reminders, usage, databases, metrics };
      const core = new DevMeshCore(home, deps.version, logger, settings, ca, ports, parts, disposables);
      await proxy.listen();
      await mesh.start(await proxy.listenIngress());
      await projects.openAll(deps.projects ?? []);
      metrics.start();
      databases.start();
      return core;
    } catch (err) {
      // The caller never gets the core: release what it holds (services of projects already open too).
      await disposables.dispose();
      throw err;
    }
  }

  /** where the peer ingress listens; null when this agent is in no mesh or the port was busy */
  get ingressPort(): number | null {
    return this.ports.ingress;
  }

  proxyInfo(): ProxyInfo {
    return this.modules.proxy.info();
  }

  graph(): ServiceGraph {
    return serviceGraphBuilder.build({
      self: { agentId: this.mesh.agentId, name: this.mesh.name },
      local: meshServicesOf(this.projects),
      peers: this.mesh.list(),
      traffic: this.traffic.snapshot(),
      edgeTraffic: this.traffic.edges(),
    });
  }

  /** The membership changed on disk (`devmesh mesh init|join|leave`): the mesh starts over with it. */
  async reloadMesh(): Promise<MeshInfo> {
    return this.modules.mesh.reload(await this.modules.proxy.listenIngress());
  }

  describe(): CoreDescription {
    const { version, startedAt } = this;
    return { version, pid: process.pid, startedAt, home: this.home.dir, node: process.version };
  }

  /** Stops every service (each with its stop signal and timeout), then closes the store. */
  dispose(): Promise<void> {
    return this.disposables.dispose();
  }
}
