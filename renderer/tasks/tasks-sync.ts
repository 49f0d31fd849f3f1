// Keeps the tasks store in step with the daemon: the whole list (the team's board: this machine's tasks and
// teammates' open ones, each with its home machine) on every (re)connect, task.changed events in
// between, and the open task's detail (history, bids, locks) fetched when opened and again after its
// events. Also the command center's actions: create, cancel, and bid on behalf of an agent.
import type { Bid, BidInput, TaskCreateInput, TaskInfo } from '../../shared/task.js';
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { ListSync, messageOf } from '../state/list-sync.js';
import type { TasksStore } from './tasks-store.js';

/** What an action came to: the daemon's own message on failure, for the form to show. */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export function actionFailure(err: unknown): { ok: false; code: string; message: string } {
  return { ok: false, code: err instanceof DevMeshError ? err.code : 'INTERNAL', message: messageOf(err) };
}

/** how long the open task's events are gathered before its detail is read again */
const DETAIL_DELAY_MS = 100;

export class TasksSync {
  private readonly list: ListSync<TaskInfo[]>;
  private readonly disposers: (() => void)[] = [];
  private detailTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: DevMeshClient,
    private readonly store: TasksStore,
  ) {
    this.list = new ListSync(client, {
      list: () => client.call('tasks.list', { all: true }),
      store,
      what: 'tasks',
      onEvent: (event) => {
        if (event.type !== 'task.changed') return;
        store.getState().upsert(event.task);
        if (event.task.id === store.getState().openId) this.detailSoon();
      },
    });
    // Events missed while disconnected may have moved the open task on: read it again.
    this.disposers.push(client.onConnectionChange((status) => status.state === 'open' && this.detailSoon()));
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  /** Opens a task's detail (null closes it), read from the daemon. */
  open(id: string | null): void {
    this.store.getState().open(id);
    if (id !== null) void this.readDetail(id);
  }

  async create(input: TaskCreateInput): Promise<ActionResult<TaskInfo>> {
    return this.act(() => this.client.call('tasks.create', input));
  }

  async cancel(id: string, reason?: string): Promise<ActionResult<TaskInfo>> {
    return this.act(() => this.client.call('tasks.cancel', { task: id, by: 'user', ...(reason ? { reason } : {}) }));
  }

  /** A bid made by the operator for an agent that cannot bid itself (a CLI without the MCP tools). */
  async bid(input: BidInput): Promise<ActionResult<Bid>> {
    try {
      const bid = await this.client.call('tasks.bid', input);
      if (input.task === this.store.getState().openId) this.detailSoon();
      return { ok: true, value: bid };
    } catch (err) {
      return actionFailure(err);
    }
  }

  dispose(): void {
    this.list.dispose();
    for (const d of this.disposers.splice(0)) d();
    if (this.detailTimer) clearTimeout(this.detailTimer);
    this.detailTimer = null;
  }

  private async act(call: () => Promise<TaskInfo>): Promise<ActionResult<TaskInfo>> {
    try {
      const task = await call();
      this.store.getState().upsert(task);
      if (task.id === this.store.getState().openId) this.detailSoon();
      return { ok: true, value: task };
    } catch (err) {
      return actionFailure(err);
    }
  }

  private detailSoon(): void {
    if (this.detailTimer || this.store.getState().openId === null) return;
    this.detailTimer = setTimeout(() => {
      this.detailTimer = null;
      const id = this.store.getState().openId;
      if (id !== null) void this.readDetail(id);
    }, DETAIL_DELAY_MS);
  }

  private async readDetail(id: string): Promise<void> {
    try {
      this.store.getState().setDetail(await this.client.call('tasks.get', { task: id }));
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return; // the banner's news
      this.store.getState().failDetail(id, `could not read task ${id}: ${messageOf(err)}`);
    }
  }
}
