// Keeps the terminals store in step with the daemon: the whole list on every (re)connect (events emitted
// while disconnected are gone), terminal.* events in between. Also the view's actions (new shell, kill,
// close), since each answers with the session's TerminalInfo and the store takes it at once.
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { TerminalInfo } from '../../shared/terminal.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { ListSync } from '../state/list-sync.js';

const TERMINAL_EVENTS = new Set<string>(['terminal.started', 'terminal.exited', 'terminal.changed']);

export class TerminalsSync {
  private readonly list: ListSync<TerminalInfo[]>;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: Pick<AppStores, 'terminals' | 'toasts' | 'projects'>,
  ) {
    this.list = new ListSync(client, {
      list: () => client.call('terminals.list', {}),
      store: stores.terminals,
      what: 'terminals',
      onEvent: (event) => this.onEvent(event),
    });
  }

  refresh(): Promise<void> {
    return this.list.refresh();
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
      if (this.stores.terminals.getState().byId[id]?.state === 'running')
        await this.client.call('terminals.kill', { id });
      await this.client.call('terminals.remove', { id });
      this.stores.terminals.getState().remove(id);
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'TERMINAL_NOT_FOUND')
        return this.stores.terminals.getState().remove(id);
      this.stores.toasts.getState().push(err, `could not close terminal ${id}`);
    }
  }

  dispose(): void {
    this.list.dispose();
  }

  private onEvent(event: DevMeshEvent): void {
    if (!TERMINAL_EVENTS.has(event.type) || !('info' in event)) return;
    this.stores.terminals.getState().upsert(event.info as TerminalInfo);
  }
}
