// A desktop notification when a service crashes. A service in a crash loop notifies once per quiet
// period (default 1 minute), not on every restart.
import type { DevMeshApi } from '../api/devmesh-api.js';
import { EventNotifier, type NotifierDeps } from './event-notifier.js';

export type CrashNotifierDeps = NotifierDeps;

export class CrashNotifier extends EventNotifier {
  constructor(api: Pick<DevMeshApi, 'subscribe'>, deps: CrashNotifierDeps) {
    super(api, deps, 60_000, (event) => {
      if (event.type !== 'service.state' || event.to !== 'crashed') return null;
      const restarts = event.info.restarts > 0 ? ` (restarted ${event.info.restarts}×)` : '';
      return {
        key: `${event.project}/${event.service}`,
        title: `${event.service} crashed`,
        body: `${event.project}: ${event.reason ?? 'the process exited'}${restarts}`,
      };
    });
  }
}
