// Keeps the usage store in step with the daemon (usage.agents on every connect, agent.usage events between)
// and reads a task's figures on demand. One sync per window's stores, made on first use, as the
// coordination syncs are, so the agent strip and the task drawer share it.
import type { DevMeshEvent } from '../../shared/events.js';
import type { TaskUsage } from '../../shared/usage.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { useApp } from '../shell/app-context.js';
import type { AppStores } from '../state/app-stores.js';
import { ListSync } from '../state/list-sync.js';
import { createUsageStore, type UsageStore } from './usage-store.js';

export class UsageSync {
  readonly store: UsageStore = createUsageStore();
  private readonly list: ListSync<Awaited<ReturnType<UsageSync['listAll']>>>;
  private readonly taskListeners = new Set<(task: string | null) => void>();

  constructor(private readonly client: DevMeshClient) {
    this.list = new ListSync(client, {
      list: () => this.listAll(),
      store: this.store,
      what: 'agents’ token and cost figures',
      onEvent: (event) => this.onEvent(event),
    });
  }

  /** a task's figures per agent; null when they cannot be read (an older daemon, a closed connection) */
  async task(taskId: string): Promise<TaskUsage | null> {
    try {
      return await this.client.call('usage.task', { task: taskId });
    } catch {
      return null; // the drawer shows no figures rather than an error: they are a side note there
    }
  }

  /** `listener(task)` after each agent.usage event (the task its figures went to) */
  onTaskChange(listener: (task: string | null) => void): () => void {
    this.taskListeners.add(listener);
    return () => void this.taskListeners.delete(listener);
  }

  dispose(): void {
    this.list.dispose();
    this.taskListeners.clear();
  }

  private listAll() {
    return this.client.call('usage.agents', {});
  }

  private onEvent(event: DevMeshEvent): void {
    if (event.type !== 'agent.usage') return;
    this.store.getState().upsert(event.usage);
    for (const l of this.taskListeners) l(event.task);
  }
}

const created = new WeakMap<AppStores, UsageSync>();

export function usageSync(client: DevMeshClient, stores: AppStores): UsageSync {
  let sync = created.get(stores);
  if (!sync) {
    sync = new UsageSync(client);
    created.set(stores, sync);
  }
  return sync;
}

export function useUsage(): UsageSync {
  const { client, stores } = useApp();
  return usageSync(client, stores);
}
