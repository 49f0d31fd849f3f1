// Keeps the data faces of the selected project current:
// - its databases and their snapshots: listed on connect and when the project changes, again after a
//   database.changed event or a database service's state change, and every few seconds while the Services view
//   shows one (a database's size changes with no event: rows written through psql);
// - teammates' published snapshots: again when one joins, leaves or comes back;
// - its TCP services' addresses and counters (proxy.tcp, which the daemon does not push): asked about once a
//   second, like the traffic pushes, while the Services view shows a project with a TCP service.
// At most one poll of each kind in flight.
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from './app-stores.js';
import { messageOf } from './list-sync.js';

export interface DataSyncDeps {
  /** events come in bursts (a restore stops, swaps and starts the service): one listing per burst */
  debounceMs?: number;
  /** how often proxy.tcp is asked while a TCP service is on screen */
  tcpPollMs?: number;
  /** how often databases.list is asked while the Services view shows a database: sizes change with no event */
  dbPollMs?: number;
}

export class DataSync {
  private readonly disposers: (() => void)[] = [];
  private projectId: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private peerTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly poll: ReturnType<typeof setInterval>;
  private readonly dbPoll: ReturnType<typeof setInterval>;
  private dbInFlight = false;
  /** bump on every request, so a slow answer for a previous project (or an older state) is dropped */
  private dbGeneration = 0;
  private snapGeneration = 0;
  private peerGeneration = 0;
  private tcpGeneration = 0;
  private tcpInFlight = false;
  private readonly debounceMs: number;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: AppStores,
    deps: DataSyncDeps = {},
  ) {
    this.debounceMs = deps.debounceMs ?? 150;
    this.disposers.push(
      stores.projects.subscribe((s, prev) => {
        if (s.selectedId !== prev.selectedId) this.showProject(s.selectedId);
      }),
      client.onConnectionChange((status) => {
        if (status.state === 'open') this.reload();
      }),
      client.onEvent((event) => this.onEvent(event)),
    );
    this.poll = setInterval(() => this.pollTcp(), deps.tcpPollMs ?? 1000);
    this.dbPoll = setInterval(() => this.pollDatabases(), deps.dbPollMs ?? 5000);
    this.showProject(stores.projects.getState().selectedId);
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    if (this.timer) clearTimeout(this.timer);
    if (this.peerTimer) clearTimeout(this.peerTimer);
    clearInterval(this.poll);
    clearInterval(this.dbPoll);
  }

  /** Lists the databases and both snapshot lists again (after an action, a Refresh). */
  reload(): void {
    if (this.projectId === null || this.client.status.state !== 'open') return;
    void this.loadDatabases();
    void this.loadSnapshots();
    void this.loadPeerSnapshots();
    void this.loadTcp();
  }

  private showProject(projectId: string | null): void {
    if (projectId === this.projectId) return;
    this.projectId = projectId;
    this.stores.databases.getState().showProject(projectId);
    this.stores.tcp.getState().showProject(projectId);
    this.reload();
  }

  private onEvent(event: DevMeshEvent): void {
    const projectId = this.projectId;
    if (projectId === null) return;
    if (event.type === 'database.changed' && event.project === projectId) this.later();
    else if (event.type === 'service.state' && event.project === projectId) {
      // the engine's port, size and problem follow its service's state: list again, show the state at once
      if (!this.stores.databases.getState().byService[event.service]) return;
      this.stores.databases.getState().setState(projectId, event.service, event.info.state);
      this.later();
    } else if ((event.type === 'project.reloaded' || event.type === 'project.opened') && event.project.id === projectId)
      this.later();
    // a teammate who joins may have published snapshots; one who leaves takes theirs away
    else if (event.type === 'peer.joined' || event.type === 'peer.left' || event.type === 'peer.back')
      this.peersLater();
  }

  private peersLater(): void {
    this.peerTimer ??= setTimeout(() => {
      this.peerTimer = null;
      if (this.client.status.state === 'open') void this.loadPeerSnapshots();
    }, this.debounceMs);
  }

  private later(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (this.client.status.state !== 'open') return;
      void this.loadDatabases();
      void this.loadSnapshots();
    }, this.debounceMs);
  }

  private pollTcp(): void {
    if (this.tcpInFlight || this.projectId === null || this.client.status.state !== 'open') return;
    if (this.stores.view.getState().view !== 'services') return;
    const { byName } = this.stores.services.getState();
    if (!Object.values(byName).some((s) => s.protocol === 'tcp')) return;
    void this.loadTcp();
  }

  /** A database grows or shrinks with no event (rows written through psql): its size is listed again. */
  private pollDatabases(): void {
    if (this.dbInFlight || this.projectId === null || this.client.status.state !== 'open') return;
    if (this.stores.view.getState().view !== 'services') return;
    if (this.stores.databases.getState().services.length === 0) return;
    this.dbInFlight = true;
    void this.loadDatabases().finally(() => (this.dbInFlight = false));
  }

  private async loadDatabases(): Promise<void> {
    await this.load(
      () => ++this.dbGeneration,
      () => this.dbGeneration,
      (project) => this.client.call('databases.list', { project }),
      (project, list) => this.stores.databases.getState().replaceDatabases(project, list),
      'databases',
    );
  }

  private async loadSnapshots(): Promise<void> {
    await this.load(
      () => ++this.snapGeneration,
      () => this.snapGeneration,
      (project) => this.client.call('databases.snapshots', { project }),
      (project, list) => this.stores.databases.getState().replaceSnapshots(project, list),
      'snapshots',
    );
  }

  private async loadPeerSnapshots(): Promise<void> {
    await this.load(
      () => ++this.peerGeneration,
      () => this.peerGeneration,
      (project) => this.client.call('databases.peerSnapshots', { project }),
      (project, list) => this.stores.databases.getState().replacePeerSnapshots(project, list),
      "teammates' snapshots",
    );
  }

  private async loadTcp(): Promise<void> {
    const projectId = this.projectId;
    if (projectId === null) return;
    const generation = ++this.tcpGeneration;
    this.tcpInFlight = true;
    try {
      const routes = await this.client.call('proxy.tcp', { project: projectId });
      if (generation === this.tcpGeneration) this.stores.tcp.getState().replace(projectId, routes);
    } catch (err) {
      // Not a toast (it would repeat every second): the TCP cells show a dash and the reason on hover.
      if (generation === this.tcpGeneration) this.stores.tcp.getState().fail(projectId, messageOf(err));
    } finally {
      if (generation === this.tcpGeneration) this.tcpInFlight = false;
    }
  }

  private async load<L>(
    bump: () => number,
    current: () => number,
    ask: (project: string) => Promise<L>,
    take: (project: string, list: L) => void,
    what: string,
  ): Promise<void> {
    const projectId = this.projectId;
    if (projectId === null) return;
    const generation = bump();
    try {
      const list = await ask(projectId);
      if (generation === current()) take(projectId, list);
    } catch (err) {
      if (generation !== current()) return;
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return; // the banner's news
      this.stores.databases.getState().fail(projectId, `could not list the ${what} of ${projectId}: ${messageOf(err)}`);
    }
  }
}
