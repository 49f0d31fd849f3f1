// `<service>.localhost`: traffic counters, the request log, the route table, the proxy, and the peer
// ingress (where teammates' proxies send the requests they route here). Listening fills ListeningPorts.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ProxyInfo } from '../../../shared/proxy.js';
import { DisposableStore, type AsyncDisposable } from '../base/disposable.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import type { MeshModule } from '../mesh/mesh-module.js';
import { PeerIngressRoutes } from '../mesh/peer-ingress-routes.js';
import type { ProjectsModule } from '../projects/projects-module.js';
import type { UserSettingsData } from '../settings/user-settings.js';
import type { StoreModule } from '../store/store-module.js';
import type { LocalCertificateAuthority } from '../tls/local-certificate-authority.js';
import type { ListeningPorts } from './listening-ports.js';
import { ProxyServer } from './proxy-server.js';
import { RequestLog } from './request-log.js';
import { RouteTable } from './route-table.js';
import { LocalTcpServices } from './tcp/local-tcp-services.js';
import type { PeerTunnelDialer } from './tcp/peer-tunnel-dialer.js';
import { TunnelDialer } from './tcp/tunnel-dialer.js';
import { TunnelIngress } from './tcp/tunnel-ingress.js';
import { TrafficStats } from './traffic-stats.js';
import { StoreGuard } from '../health/store-guard.js';
import type { DatabaseEngineName } from '../config/project-config.js';
import { TcpAddressBook } from './tcp/tcp-address-book.js';
import { TcpDialer } from './tcp/tcp-dialer.js';
import { TcpRoutes } from './tcp/tcp-routes.js';

/** where the peer ingress's port is set */
const SETTING = 'mesh.ingress_port';

export interface ProxyModuleDeps {
  home: DevMeshHome;
  store: StoreModule;
  projects: ProjectsModule;
  mesh: MeshModule;
  ca: LocalCertificateAuthority;
  settings: UserSettingsData;
  ports: ListeningPorts;
  logger: Logger;
  /** a database's URL at an address (main/core/databases/database-url.ts, injected: databases imports proxy) */
  databaseUrl?: DatabaseUrlOf;
}

export type DatabaseUrlOf = (engine: DatabaseEngineName, where: { host: string; port: number; name: string }) => string;

export class ProxyModule implements AsyncDisposable {
  readonly traffic: TrafficStats;
  readonly requests: RequestLog;
  readonly routes: RouteTable;
  readonly proxy: ProxyServer;
  /** teammates' proxies send here (members only, this machine's instances only) */
  readonly ingress: ProxyServer;
  /** TCP services' stable addresses (`protocol: tcp`) */
  readonly tcp: TcpRoutes;
  /** how a TCP connection reaches a teammate's instance: the peer tunnel (`tunnels`) */
  tcpTunnel: PeerTunnelDialer | null = null;
  private readonly tcpBook: TcpAddressBook;
  /** the peer ingress's tunnel side (TCP services, published snapshots: `serveSnapshots` wires the latter) */
  readonly tunnelIngress: TunnelIngress;
  /** teammates' TCP services and published snapshots, through their peer ingress */
  readonly tunnels: PeerTunnelDialer;
  private readonly disposables: DisposableStore;

  constructor(private readonly deps: ProxyModuleDeps) {
    const { home, store, projects, mesh, ca, settings, ports, logger } = deps;
    this.disposables = new DisposableStore((err) => logger.error({ domain: 'proxy', err }, 'dispose failed'));
    // Disposed in reverse: both listeners close, then the routes and counters, then the log's last writes.
    this.traffic = new TrafficStats(store.events);
    const where = home.databasePath;
    const requests = new RequestLog(store.database, store.events, this.traffic, { health: store.health, where });
    this.requests = this.disposables.add(requests);
    this.disposables.add(this.traffic);
    this.routes = this.disposables.add(new RouteTable(projects.manager, store.events, () => ports.proxy, mesh.chooser));
    const instanceId = randomBytes(6).toString('hex');
    this.proxy = new ProxyServer({
      routes: this.routes,
      requests: this.requests,
      tls: ca,
      host: settings.proxy.host,
      httpPort: settings.proxy.httpPort,
      httpsPort: settings.proxy.httpsPort,
      instanceId,
      logger: logger.child({ domain: 'proxy' }),
    });
    this.disposables.add({ dispose: () => this.proxy.close() });
    // The same instance id as the proxy: a request that comes back through this agent is a loop. HTTPS
    // only, with the mesh node's certificate, which peers receive over their authenticated links and pin.
    const node = mesh.node;
    const tunnelLogger = logger.child({ domain: 'proxy', listener: 'tunnel' });
    this.tunnels = new TunnelDialer({ agentId: () => node.agentId, logger: tunnelLogger });
    this.tcpTunnel = this.tunnels;
    this.tunnelIngress = new TunnelIngress({
      admit: (auth) => node.admit(auth),
      tcp: new LocalTcpServices({ projects: () => projects.manager.shared(), selfName: () => node.name }),
      selfName: () => node.name,
      logger: tunnelLogger,
    });
    this.ingress = new ProxyServer({
      routes: new PeerIngressRoutes(this.routes, node),
      requests: this.requests,
      tls: {
        certPath: '',
        secureContextFor: (name) => node.tls!.secureContextFor(name),
        defaultContext: () => node.tls!.defaultContext(),
        defaultCredentials: () => node.tls!.defaultCredentials(),
      },
      host: settings.mesh.host,
      httpPort: null,
      httpsPort: settings.mesh.ingressPort,
      instanceId,
      logger: logger.child({ domain: 'proxy', listener: 'peer-ingress' }),
      names: { http: 'peer ingress', httpSetting: SETTING, https: 'peer ingress', httpsSetting: SETTING },
      tunnels: this.tunnelIngress,
    });
    this.disposables.add(this.tunnelIngress);
    this.disposables.add(node.onLinkDown((m) => this.tunnelIngress.dropMachine(m.machineId, m.reason)));
    this.disposables.add({ dispose: () => this.ingress.close() });
    // Requests in flight to a teammate who fell silent would wait for the idle timeout: end them now.
    const dropGone = mesh.onPeerGone((gone) => {
      this.proxy.dropTarget(gone.host, gone.port, `${gone.name} is gone (${gone.reason})`);
    });
    this.disposables.add(dropGone);
    this.tcpBook = new TcpAddressBook({
      database: store.database,
      guard: new StoreGuard(store.health, {
        component: 'tcp addresses',
        where: home.databasePath,
        rule: 'a TCP service keeps the port allocated for it in this run, but may get another after a restart',
      }),
      reserved: () =>
        projects.manager.all().flatMap((p) =>
          p.supervisor.names().flatMap((n) => {
            const def = p.supervisor.get(n).definition;
            return [def.port, def.tcpPort].filter((x): x is number => x !== null);
          }),
        ),
    });
    const dialer = new TcpDialer({ peers: () => node.routable(), tunnel: () => this.tcpTunnel });
    this.tcp = new TcpRoutes({
      projects: projects.manager,
      events: store.events,
      chooser: mesh.chooser,
      book: this.tcpBook,
      dialer,
      host: settings.proxy.host,
      onMismatch: (r) => mesh.mismatches.record(r),
      ensureRunning: (project, service, ms) => this.routes.ensureRunning(project, service, ms),
      logger: logger.child({ domain: 'proxy', listener: 'tcp' }),
    });
    this.disposables.add(this.tcp);
  }

  /** Starts counting traffic and opens the proxy's listeners (unless disabled); a busy port is a problem. */
  async listen(): Promise<void> {
    this.traffic.start();
    if (!this.deps.settings.proxy.enabled) return;
    // Before any project opens: a dependent started with it gets the stable port in its environment.
    this.deps.ports.tcpAddress = (project, def) => {
      // The stable port is held by another program (a developer's own Postgres on 5432): a dependent sent
      // there would read and write that server's data. It goes to the instance's own port instead.
      if (!this.tcp.mayServe(project, def.name)) return null;
      const port = this.tcpBook.portOf(project, def);
      // Dependents connect here; a wildcard listener is reached on loopback.
      const host = ['0.0.0.0', '::'].includes(this.deps.settings.proxy.host)
        ? '127.0.0.1'
        : this.deps.settings.proxy.host;
      const db = def.database;
      const url =
        db !== null && db.engine !== 'sqlite' && this.deps.databaseUrl
          ? this.deps.databaseUrl(db.engine, { host, port, name: db.name })
          : `tcp://${host}:${port}`;
      return { host, port, url };
    };
    this.deps.ports.tcpLend = (project, service) => this.tcp.lend(project, service);
    await this.tcp.start();
    const listening = await this.proxy.listen();
    this.deps.ports.proxy = { httpPort: listening.httpPort, httpsPort: listening.httpsPort };
    this.deps.ports.proxyProblems = listening.problems;
    for (const problem of listening.problems) {
      this.deps.logger.warn({ domain: 'proxy', problem }, 'proxy listener not started');
    }
  }

  /**
   * Opens the peer ingress once this agent is in a mesh, before any link comes up (every link announces
   * its port). Returns what went wrong, for the mesh's problems.
   */
  async listenIngress(): Promise<string[]> {
    const { ports, settings, mesh, logger } = this.deps;
    if (ports.ingress !== null || !settings.proxy.enabled || !mesh.isMember()) return [];
    await mesh.node.prepareTls();
    const listening = await this.ingress.listen();
    ports.ingress = listening.httpsPort;
    for (const problem of listening.problems) {
      logger.warn({ domain: 'proxy', listener: 'peer-ingress', problem }, 'peer ingress not started');
    }
    return listening.problems.map((p) => `${p} Teammates cannot route requests to this machine's services.`);
  }

  info(): ProxyInfo {
    const { ports, settings, ca } = this.deps;
    const { httpPort, httpsPort } = ports.proxy;
    return {
      httpUrl: httpPort === null ? null : `http://localhost:${httpPort}`,
      httpsUrl: httpsPort === null ? null : `https://localhost:${httpsPort}`,
      problems: settings.proxy.enabled
        ? [...ports.proxyProblems]
        : ['the proxy is disabled in config.yaml (proxy.enabled: false)'],
      caCertPath: ca.certPath,
      unstoredRequests: this.requests.unstored,
    };
  }

  dispose(): Promise<void> {
    return this.disposables.dispose();
  }
}
