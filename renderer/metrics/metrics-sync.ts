// Keeps the metrics store in step with the daemon: metrics.current on every connect, then each process's
// fine history (its sparkline's past, at most SEEDED processes), then metrics.sampled and metrics.alert
// events. One sync per window's stores, made on first use (the services table, the agent strip and the
// detail chart share it). Figures are a side note: a failure leaves them blank, never an error on screen.
import type { DevMeshEvent } from '../../shared/events.js';
import type { MetricsCurrent, MetricsHistory } from '../../shared/metrics.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { useApp } from '../shell/app-context.js';
import type { AppStores } from '../state/app-stores.js';
import { ListSync } from '../state/list-sync.js';
import { createMetricsStore, type MetricsStore } from './metrics-store.js';

const SEEDED = 64;

export class MetricsSync {
  readonly store: MetricsStore = createMetricsStore();
  private readonly list: ListSync<MetricsCurrent>;

  constructor(private readonly client: DevMeshClient) {
    // the listing replaces the store, then fetches the sparklines' past
    const target = {
      replace: (current: MetricsCurrent) => {
        this.store.getState().replace(current);
        void this.seed(current);
      },
      fail: (message: string | null) => this.store.getState().fail(message),
    };
    this.list = new ListSync(client, {
      list: () => this.client.call('metrics.current', {}),
      store: { getState: () => target },
      what: 'process figures',
      onEvent: (event) => this.onEvent(event),
    });
  }

  /** One process's figures over a range (the detail chart); null when they cannot be read. */
  async history(key: string, range: 'fine' | 'day'): Promise<MetricsHistory | null> {
    try {
      return await this.client.call(
        'metrics.history',
        range === 'fine' ? { key, resolution: 'fine' } : { key, from: Date.now() - 86_400_000, resolution: 'minute' },
      );
    } catch {
      return null; // an older daemon, a closed connection: the chart says there is nothing to show
    }
  }

  dispose(): void {
    this.list.dispose();
  }

  private async seed(current: MetricsCurrent): Promise<void> {
    await Promise.all(
      current.processes.slice(0, SEEDED).map(async (p) => {
        const history = await this.history(p.key, 'fine');
        if (history) this.store.getState().seed(p.key, history.points);
      }),
    );
  }

  private onEvent(event: DevMeshEvent): void {
    if (event.type === 'metrics.sampled') this.store.getState().sampled(event.machine, event.processes);
    else if (event.type === 'metrics.alert') this.store.getState().alert(event.alert);
  }
}

const created = new WeakMap<AppStores, MetricsSync>();

export function metricsSync(client: DevMeshClient, stores: AppStores): MetricsSync {
  let sync = created.get(stores);
  if (!sync) {
    sync = new MetricsSync(client);
    created.set(stores, sync);
  }
  return sync;
}

export function useMetrics(): MetricsSync {
  const { client, stores } = useApp();
  return metricsSync(client, stores);
}
