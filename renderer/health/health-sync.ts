// Keeps the health store in step with the daemon: daemon.health on every (re)connect (events sent while
// the socket was down are gone), then each health.changed. A read answered after an event that was sent
// later is older than that event and is dropped: the event already says how things stand. The daemon
// raises an event when a problem starts, changes kind or clears, not on each failure: while problems are
// shown they are read again every few seconds, so their counts stay current.
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { HealthStore } from './health-store.js';
import { messageOf } from '../state/list-sync.js';

export interface HealthSyncDeps {
  /** how often problems on screen are read again */
  pollMs?: number;
}

export class HealthSync {
  private readonly disposers: (() => void)[] = [];
  /** bumps on every read and every event: an answer is taken only if nothing came after it was asked */
  private generation = 0;
  private readonly pollTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: DevMeshClient,
    private readonly store: HealthStore,
    deps: HealthSyncDeps = {},
  ) {
    this.pollTimer = setInterval(() => {
      if (client.status.state === 'open' && store.getState().problems.length > 0) void this.refresh();
    }, deps.pollMs ?? 5000);
    this.disposers.push(
      client.onConnectionChange((status) => {
        if (status.state === 'open') void this.refresh();
      }),
      client.onEvent((event) => {
        if (event.type !== 'health.changed') return;
        this.generation++;
        store.getState().replace(event.problems);
      }),
    );
    if (client.status.state === 'open') void this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    try {
      const health = await this.client.call('daemon.health', {});
      if (generation === this.generation) this.store.getState().replace(health.problems);
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return; // the banner's news
      // An older daemon has no daemon.health: nothing to show, and nothing the user can do about it.
      if (generation === this.generation)
        this.store.getState().fail(`could not read the daemon's health: ${messageOf(err)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    clearInterval(this.pollTimer);
  }
}
