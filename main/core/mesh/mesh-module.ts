// The mesh: this agent's membership, its MeshNode (links, mDNS discovery), the version alerts its route
// choices raise, and the route chooser (local instance or a teammate's) that the projects and the proxy
// share. Built after the projects (it advertises their services) and before the proxy (which routes by it).
import type { Logger } from 'pino';
import type { MeshInfo } from '../../../shared/mesh.js';
import type { AsyncDisposable, Disposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';
import { StoreGuard } from '../health/store-guard.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import { meshServicesOf } from '../project-views.js';
import type { PeerServingPort } from '../projects/peer-serving-port.js';
import type { ProjectsModule } from '../projects/projects-module.js';
import type { ListeningPorts } from '../proxy/listening-ports.js';
import { RouteChooser } from '../proxy/route-chooser.js';
import type { MeshSettings } from '../settings/user-settings.js';
import type { StoreModule } from '../store/store-module.js';
import { MdnsDiscovery, MESH_PROTOCOL_VERSION } from './mdns-discovery.js';
import { MeshMembership } from './mesh-membership.js';
import { MeshNode } from './mesh-node.js';
import { MismatchRecorder, VERSION_ALERT_RULE } from './mismatch-recorder.js';
import { VersionAlertStore } from './version-alert-store.js';

/** A teammate's ingress that went away: requests in flight to it should end now. */
export interface PeerGone {
  host: string;
  port: number;
  name: string;
  reason: string;
}

export interface MeshModuleDeps {
  home: DevMeshHome;
  store: StoreModule;
  projects: ProjectsModule;
  settings: MeshSettings;
  ports: ListeningPorts;
  /** where the projects ask which teammate serves a dependency: the chooser is plugged in here */
  peers: PeerServingPort;
  logger: Logger;
}

export class MeshModule implements AsyncDisposable {
  readonly alerts: VersionAlertStore;
  readonly node: MeshNode;
  readonly chooser: RouteChooser;
  /** fired when a linked teammate falls silent (the proxy ends requests in flight to its ingress) */
  private readonly peerGone = new Emitter<PeerGone>({ name: 'teammate gone' });
  /** a teammate fell silent or left: requests in flight to it can end now */
  readonly onPeerGone = this.peerGone.event;
  /** version mismatches into alerts (HTTP requests through the chooser, TCP connections through TcpRoutes) */
  readonly mismatches: MismatchRecorder;
  private readonly subscriptions: Disposable[];

  constructor(private readonly deps: MeshModuleDeps) {
    const { home, store, projects, settings, ports, logger } = deps;
    this.alerts = new VersionAlertStore(store.database, store.events);
    this.mismatches = new MismatchRecorder(
      this.alerts,
      new StoreGuard(store.health, { component: 'version alerts', where: home.databasePath, rule: VERSION_ALERT_RULE }),
    );
    this.node = new MeshNode({
      membership: new MeshMembership(home.dir),
      settings,
      events: store.events,
      logger: logger.child({ domain: 'mesh' }),
      services: () => meshServicesOf(projects.manager),
      ingressPort: () => ports.ingress,
      onPeerGone: (gone) => this.peerGone.fire(gone),
      startMdns: (node, meshId, port) => MeshModule.startMdns(node, meshId, port, logger),
    });
    this.chooser = new RouteChooser(this.node, (r) => this.mismatches.record(r));
    this.subscriptions = [
      deps.peers.connect(this.chooser),
      // Every local change the mesh should hear of: a state change, a project opened, closed or reloaded.
      store.events.onDidEmitEvent((e) => {
        if (e.type === 'service.state' || e.type.startsWith('project.')) this.node.servicesChanged();
      }),
    ];
  }

  /** true when this agent is in a mesh (an unreadable membership is MeshNode.start's to report) */
  isMember(): boolean {
    try {
      return new MeshMembership(this.deps.home.dir).read() !== null;
    } catch {
      return false; // MeshNode.start reports the unreadable membership
    }
  }

  /** Starts the node; `problems` are the peer ingress's, shown among the mesh's. */
  async start(problems: readonly string[]): Promise<void> {
    await this.node.start();
    for (const problem of problems) this.node.addProblem(problem);
  }

  /** The membership changed on disk (`devmesh mesh init|join|leave`): the mesh starts over with it. */
  async reload(problems: readonly string[]): Promise<MeshInfo> {
    await this.node.reload();
    for (const problem of problems) this.node.addProblem(problem);
    return this.node.info();
  }

  async dispose(): Promise<void> {
    for (const s of this.subscriptions) s.dispose();
    await this.node.close();
    // after both proxies closed (they are disposed before this module): the last route choices are kept.
    // (The root already closed the node before the proxies: its goodbye goes first; close is idempotent.)
    this.mismatches.flush();
  }

  private static startMdns(node: MeshNode, meshId: string, port: number, logger: Logger): () => void {
    const mdns = new MdnsDiscovery({
      advert: { agentId: node.agentId, name: node.name, meshId, port, protocol: MESH_PROTOCOL_VERSION },
      logger: logger.child({ domain: 'mdns' }),
      addresses: () => node.servedAddresses(),
      onCandidate: (c) => {
        const ip = c.addresses[0];
        if (!ip) return;
        const address = ip.includes(':') ? `[${ip}]:${c.port}` : `${ip}:${c.port}`;
        node.offer({ agentId: c.agentId, meshId: c.meshId, address, via: 'mdns' });
      },
    });
    mdns.start();
    return () => mdns.dispose();
  }
}
