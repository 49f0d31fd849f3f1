// Keeps the stores in step with the daemon: a full refetch on every (re)connect, because events emitted
// while disconnected are gone, and live events in between.
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from './app-stores.js';

export class StoreSync {
  private readonly disposers: (() => void)[] = [];
  /** bumps on every services.list request, so a slow answer for a previous project is dropped */
  private listGeneration = 0;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: AppStores,
  ) {
    stores.connection.getState().setStatus(client.status);
    this.disposers.push(
      client.onConnectionChange((status) => {
        stores.connection.getState().setStatus(status);
        if (status.state === 'open') void this.refresh();
      }),
      client.onEvent((event) => this.onEvent(event)),
      stores.projects.subscribe((s, prev) => {
        if (s.selectedId !== prev.selectedId) void this.loadServices();
      }),
    );
    if (client.status.state === 'open') void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const projects = await this.client.call('projects.list', {});
      const before = this.stores.projects.getState().selectedId;
      this.stores.projects.getState().setProjects(projects);
      // A changed selection already triggered a load through the subscription.
      if (this.stores.projects.getState().selectedId === before) await this.loadServices();
    } catch (err) {
      this.report(err, 'could not list projects');
    }
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  private async loadServices(): Promise<void> {
    const projectId = this.stores.projects.getState().selectedId;
    const generation = ++this.listGeneration;
    this.stores.services.getState().showProject(projectId);
    if (projectId === null) return;
    try {
      const list = await this.client.call('services.list', { project: projectId });
      if (generation === this.listGeneration) this.stores.services.getState().replace(projectId, list);
    } catch (err) {
      this.report(err, `could not list the services of ${projectId}`);
    }
  }

  private onEvent(event: DevMeshEvent): void {
    this.stores.projects.getState().applyEvent(event);
    this.stores.services.getState().applyEvent(event);
    // A reload can add or remove services; the event names them but only the list has their full info.
    if (event.type === 'project.reloaded' && event.project.id === this.stores.projects.getState().selectedId) {
      void this.loadServices();
    }
  }

  private report(err: unknown, context: string): void {
    // Losing the connection is the banner's news, not a toast; the refetch on reconnect repairs the state.
    if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return;
    this.stores.toasts.getState().push(err, context);
  }
}
