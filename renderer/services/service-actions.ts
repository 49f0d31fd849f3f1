// Which operator actions make sense in which state. The daemon would accept most of them anyway; the
// point is buttons that say what will happen (no "Stop" on a stopped service, no "Start" on a running one).
import type { ServiceState } from '../../shared/service.js';

export type ServiceAction = 'start' | 'stop' | 'restart';

const allowed: Record<ServiceAction, readonly ServiceState[]> = {
  // backing-off: start now instead of waiting out the backoff
  start: ['stopped', 'crashed', 'backing-off'],
  // backing-off: stop cancels the pending retry
  stop: ['starting', 'healthy', 'unhealthy', 'backing-off'],
  restart: ['starting', 'healthy', 'unhealthy', 'crashed', 'backing-off'],
};

export const canRun = (action: ServiceAction, state: ServiceState): boolean => allowed[action].includes(state);
