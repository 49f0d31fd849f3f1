// Keeps the proxy's faces of the selected project current: its routes (refetched when a service changes
// state, since a route's target and state follow the service) and its traffic counters (pushed by the
// daemon about once a second while there is traffic; fetched again when the pushes stop, so a rate that
// went quiet falls back to zero instead of freezing at its last value).
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from './app-stores.js';
import { hasLiveRates } from './traffic-store.js';

export interface ProxySyncDeps {
  /** service events arrive in bursts (start-all): one routes refetch per burst */
  routesDebounceMs?: number;
  /** no push for this long while a rate is above zero: fetch the counters */
  trafficStaleMs?: number;
}

export class ProxySync {
  private readonly disposers: (() => void)[] = [];
  private projectId: string | null = null;
  private stopTraffic: (() => void) | null = null;
  private routesTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly staleTimer: ReturnType<typeof setInterval>;
  /** bumps on every request, so a slow answer for a previous project (or an older state) is dropped */
  private routesGeneration = 0;
  private trafficGeneration = 0;
  private readonly routesDebounceMs: number;
  private readonly trafficStaleMs: number;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: AppStores,
    deps: ProxySyncDeps = {},
  ) {
    this.routesDebounceMs = deps.routesDebounceMs ?? 150;
    this.trafficStaleMs = deps.trafficStaleMs ?? 2500;
    this.disposers.push(
      stores.projects.subscribe((s, prev) => {
        if (s.selectedId !== prev.selectedId) this.showProject(s.selectedId);
      }),
      client.onConnectionChange((status) => {
        if (status.state === 'open') this.reload();
      }),
      client.onEvent((event) => this.onEvent(event)),
    );
    this.staleTimer = setInterval(() => this.checkStale(), this.trafficStaleMs);
    this.showProject(stores.projects.getState().selectedId);
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    this.stopTraffic?.();
    this.stopTraffic = null;
    if (this.routesTimer) clearTimeout(this.routesTimer);
    clearInterval(this.staleTimer);
  }

  private showProject(projectId: string | null): void {
    if (projectId === this.projectId) return;
    this.projectId = projectId;
    this.stores.routes.getState().showProject(projectId);
    this.stores.traffic.getState().showProject(projectId);
    this.stopTraffic?.();
    this.stopTraffic = null;
    if (projectId === null) return;
    this.stopTraffic = this.client.onTraffic({ project: projectId }, (snapshot) =>
      this.stores.traffic.getState().apply(projectId, snapshot),
    );
    this.reload();
  }

  private reload(): void {
    if (this.projectId === null || this.client.status.state !== 'open') return;
    void this.loadRoutes();
    void this.loadTraffic();
  }

  private onEvent(event: DevMeshEvent): void {
    const affects =
      (event.type === 'service.state' && event.project === this.projectId) ||
      ((event.type === 'project.reloaded' || event.type === 'project.opened') && event.project.id === this.projectId);
    if (!affects) return;
    this.routesTimer ??= setTimeout(() => {
      this.routesTimer = null;
      void this.loadRoutes();
    }, this.routesDebounceMs);
  }

  private checkStale(): void {
    const traffic = this.stores.traffic.getState();
    if (this.projectId === null || this.client.status.state !== 'open') return;
    if (Date.now() - traffic.receivedAt < this.trafficStaleMs || !hasLiveRates(traffic.byService)) return;
    void this.loadTraffic();
  }

  private async loadRoutes(): Promise<void> {
    const projectId = this.projectId;
    if (projectId === null) return;
    const generation = ++this.routesGeneration;
    try {
      const routes = await this.client.call('proxy.routes', { project: projectId });
      if (generation === this.routesGeneration) this.stores.routes.getState().replace(projectId, routes);
    } catch (err) {
      // Not a toast: the rows simply show no URL, and say why on hover (proxy off, an older daemon).
      if (generation === this.routesGeneration)
        this.stores.routes.getState().fail(projectId, err instanceof Error ? err.message : String(err));
    }
  }

  private async loadTraffic(): Promise<void> {
    const projectId = this.projectId;
    if (projectId === null) return;
    const generation = ++this.trafficGeneration;
    try {
      const snapshot = await this.client.call('proxy.traffic', { project: projectId });
      if (generation === this.trafficGeneration) this.stores.traffic.getState().apply(projectId, snapshot);
    } catch (err) {
      // The counters are an extra: without them the rows show a dash. Keep the reason for the console.
      console.warn(
        `devmesh: could not read the proxy traffic of ${projectId}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
