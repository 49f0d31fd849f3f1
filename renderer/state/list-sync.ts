// The "list on connect, patch from events" half of a sync: the whole list on every (re)connect (events
// emitted while disconnected are gone), each daemon event handed on in between. An older list answer landing
// after a newer one is dropped; a daemon that is not running is the banner's news, not the store's error.
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';

export interface ListSyncDeps<L> {
  /** asks the daemon for the whole list */
  list: () => Promise<L>;
  /** the store that takes the list, or the message of a failed listing */
  store: { getState(): { replace(list: L): void; fail(message: string | null): void } };
  /** what is listed, for the error message ("could not list the <what>") */
  what: string;
  onEvent: (event: DevMeshEvent) => void;
}

export class ListSync<L> {
  private readonly disposers: (() => void)[] = [];
  /** bumps on every list request, so an older answer landing after a newer one is dropped */
  private listGeneration = 0;

  constructor(
    client: DevMeshClient,
    private readonly deps: ListSyncDeps<L>,
  ) {
    this.disposers.push(
      client.onConnectionChange((status) => {
        if (status.state === 'open') void this.refresh();
      }),
      client.onEvent((event) => deps.onEvent(event)),
    );
    if (client.status.state === 'open') void this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.listGeneration;
    try {
      const list = await this.deps.list();
      if (generation === this.listGeneration) this.deps.store.getState().replace(list);
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return; // the banner's news
      this.deps.store.getState().fail(`could not list the ${this.deps.what}: ${messageOf(err)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
