// metrics.*: what every service, agent and terminal uses (CPU, memory, connections, GPU), one process's
// history, and the leak and spin alerts.
import type { MetricsModule } from '../../core/metrics/metrics-module.js';
import type { HandlersOf } from './handlers.js';

export interface MetricsHandlersDeps {
  metrics: Pick<MetricsModule, 'current' | 'history' | 'alerts'>;
}

export function metricsHandlers({ metrics }: MetricsHandlersDeps): HandlersOf<'metrics'> {
  return {
    'metrics.current': (i) => metrics.current(i.project),
    'metrics.history': (i) => metrics.history(i),
    'metrics.alerts': (i) => metrics.alerts(i.all, i.limit),
  };
}
