// daemon.*: what this process is, its health, and shutting it down.
import type { DaemonInfo } from '../../../shared/api.js';
import type { DevMeshCore } from '../../core/devmesh-core.js';
import type { DaemonHealth } from '../../core/health/daemon-health.js';
import type { HandlersOf } from './handlers.js';

export interface DaemonHandlersDeps {
  describe: () => ReturnType<DevMeshCore['describe']>;
  health: Pick<DaemonHealth, 'snapshot'>;
  face: DaemonInfo['face'];
  apiUrl: () => string | null;
  requestShutdown: () => void;
}

export function daemonHandlers(deps: DaemonHandlersDeps): HandlersOf<'daemon'> {
  return {
    'daemon.info': () => ({ ...deps.describe(), face: deps.face, apiUrl: deps.apiUrl() }),
    'daemon.shutdown': () => {
      setImmediate(() => deps.requestShutdown());
      return { stopping: true as const };
    },
    'daemon.health': () => deps.health.snapshot(),
  };
}
