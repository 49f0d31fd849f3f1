// Keeps the terminals store in step with the daemon: the whole list on every (re)connect (events emitted
// while disconnected are gone), terminal.* events in between. Also the view's actions (new shell, kill,
// close), since each answers with the session's TerminalInfo and the store takes it at once.
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { TerminalInfo } from '../../shared/terminal.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from './app-stores.js';

const TERMINAL_EVENTS = new Set<string>(['terminal.started', 'terminal.exited', 'terminal.changed']);

export class TerminalsSync {
  private readonly disposers: (() => void)[] = [];
  /** bumps on every list request, so an older answer landing after a newer one is dropped */
  private listGeneration = 0;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: Pick<AppStores, 'terminals' | 'toasts' | 'projects'>,
  ) {
    this.disposers.push(
      client.onConnectionChange((status) => {
        if (status.state === 'open') void this.refresh();
      }),
      client.onEvent((event) => this.onEvent(event)),
    );
    if (client.status.state === 'open') void this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.listGeneration;
    try {
      const list = await this.client.call('terminals.list', {});
      if (generation === this.listGeneration) this.stores.terminals.getState().replace(list);
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return; // the banner's news
      this.stores.terminals.getState().fail(`could not list the terminals: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A shell in the open project's directory (with its services' URLs), or in the home directory. */
  async createShell(size?: { cols: number; rows: number }): Promise<TerminalInfo | null> {
    const project = this.stores.projects.getState().selectedId;
    try {
      const info = await this.client.call('terminals.create', { ...(project ? { project } : {}), ...(size ?? {}) });
      this.stores.terminals.getState().upsert(info);
      this.stores.terminals.getState().show(info.id);
      return info;
    } catch (err) {
      this.stores.toasts.getState().push(err, 'could not open a shell');
      return null;
    }
  }

  async kill(id: string): Promise<void> {
    try {
      this.stores.terminals.getState().upsert(await this.client.call('terminals.kill', { id }));
    } catch (err) {
      this.stores.toasts.getState().push(err, `could not kill terminal ${id}`);
    }
  }

  /** Ends the session if it still runs (the daemon answers once it has exited), then forgets it. */
  async close(id: string): Promise<void> {
    try {
      if (this.stores.terminals.getState().byId[id]?.state === 'running') await this.client.call('terminals.kill', { id });
      await this.client.call('terminals.remove', { id });
      this.stores.terminals.getState().remove(id);
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'TERMINAL_NOT_FOUND') return this.stores.terminals.getState().remove(id);
      this.stores.toasts.getState().push(err, `could not close terminal ${id}`);
    }
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  private onEvent(event: DevMeshEvent): void {
    if (!TERMINAL_EVENTS.has(event.type) || !('info' in event)) return;
    this.stores.terminals.getState().upsert(event.info as TerminalInfo);
  }
}
