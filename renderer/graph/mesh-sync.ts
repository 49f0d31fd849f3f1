// Keeps the mesh store in step with the daemon: everything fetched again on every (re)connect, peers and
// alerts patched from their events, and the service graph fetched again (debounced, a start-all is a
// burst) whenever something it is drawn from changes. Heartbeat latencies and the graph's rates have no
// events: they are polled while the mesh has something to show (rates on the graph, or traffic the proxy
// counts for the project on screen).
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { describeAlert } from './describe-alert.js';
import { hasLiveRates } from '../state/traffic-store.js';

export interface MeshSyncDeps {
  /** events arrive in bursts: one mesh.graph per burst */
  graphDebounceMs?: number;
  /** peers (latency, last heartbeat) and a graph showing traffic are refetched this often */
  pollMs?: number;
  alertsLimit?: number;
}

/** events after which the graph is fetched again rather than patched */
const GRAPH_EVENTS = new Set<DevMeshEvent['type']>([
  'service.state',
  'project.opened',
  'project.closed',
  'project.reloaded',
  'peer.joined',
  'peer.left',
  'peer.unreachable',
  'peer.back',
  'peer.service',
  'alert.raised',
]);

export class MeshSync {
  private readonly disposers: (() => void)[] = [];
  private graphTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pollTimer: ReturnType<typeof setInterval>;
  /** bumps on every request, so an older answer landing after a newer one is dropped */
  private graphGeneration = 0;
  private peersGeneration = 0;
  private readonly graphDebounceMs: number;
  private readonly alertsLimit: number;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: AppStores,
    deps: MeshSyncDeps = {},
  ) {
    this.graphDebounceMs = deps.graphDebounceMs ?? 250;
    this.alertsLimit = deps.alertsLimit ?? 100;
    this.disposers.push(
      client.onConnectionChange((status) => {
        if (status.state === 'open') void this.refresh();
      }),
      client.onEvent((event) => this.onEvent(event)),
    );
    this.pollTimer = setInterval(() => this.poll(), deps.pollMs ?? 5000);
    if (client.status.state === 'open') void this.refresh();
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    if (this.graphTimer) clearTimeout(this.graphTimer);
    this.graphTimer = null;
    clearInterval(this.pollTimer);
  }

  async refresh(): Promise<void> {
    const mesh = this.stores.mesh.getState();
    try {
      mesh.setInfo(await this.client.call('mesh.info', {}));
    } catch (err) {
      // Not a toast: the Graph view says why it is empty (an older daemon, the mesh off).
      mesh.fail(this.describe(err));
      return;
    }
    await Promise.all([this.loadPeers(), this.loadGraph(), this.loadAlerts()]);
  }

  private onEvent(event: DevMeshEvent): void {
    this.stores.mesh.getState().applyEvent(event);
    if (event.type === 'alert.raised')
      this.stores.toasts.getState().notify('VERSION_MISMATCH', describeAlert(event.alert));
    if (GRAPH_EVENTS.has(event.type)) this.scheduleGraph();
  }

  private scheduleGraph(): void {
    this.graphTimer ??= setTimeout(() => {
      this.graphTimer = null;
      void this.loadGraph();
    }, this.graphDebounceMs);
  }

  private poll(): void {
    const { info, peers, graph } = this.stores.mesh.getState();
    if (this.client.status.state !== 'open' || info === null) return;
    if (info.member && peers.length > 0) void this.loadPeers();
    // A rate that went quiet must fall back to zero rather than freeze at its last value; traffic the proxy
    // sees now (the services table's counters) must show on a graph drawn while all was quiet.
    const drawnRates =
      graph !== null &&
      (graph.edges.some((e) => e.requestsPerSec > 0) || graph.nodes.some((n) => n.requestsPerSec > 0));
    if (graph && (drawnRates || hasLiveRates(this.stores.traffic.getState().byService))) this.scheduleGraph();
  }

  private async loadPeers(): Promise<void> {
    const generation = ++this.peersGeneration;
    try {
      const peers = await this.client.call('mesh.peers', {});
      if (generation === this.peersGeneration) this.stores.mesh.getState().setPeers(peers);
    } catch (err) {
      this.warn('peers', err);
    }
  }

  private async loadGraph(): Promise<void> {
    const generation = ++this.graphGeneration;
    try {
      const graph = await this.client.call('mesh.graph', {});
      if (generation === this.graphGeneration) this.stores.mesh.getState().setGraph(graph);
    } catch (err) {
      this.warn('service graph', err);
    }
  }

  private async loadAlerts(): Promise<void> {
    try {
      this.stores.mesh.getState().setAlerts(await this.client.call('mesh.alerts', { limit: this.alertsLimit }));
    } catch (err) {
      this.warn('version alerts', err);
    }
  }

  private describe(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
  }

  private warn(what: string, err: unknown): void {
    // Losing the connection is the banner's news; the refetch on reconnect repairs the state.
    // Outside a mesh there are no peers to read: the Graph view says how to join one.
    if (err instanceof DevMeshError && (err.code === 'DAEMON_NOT_RUNNING' || err.code === 'NOT_A_MEMBER')) return;
    console.warn(`devmesh: could not read the mesh ${what}: ${this.describe(err)}`);
  }
}
