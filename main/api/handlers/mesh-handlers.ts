// mesh.*: this node, its peers, the service graph and the version alerts.
import type { DevMeshCore } from '../../core/devmesh-core.js';
import type { MeshNode } from '../../core/mesh/mesh-node.js';
import type { VersionAlertStore } from '../../core/mesh/version-alert-store.js';
import type { HandlersOf } from './handlers.js';

export interface MeshHandlersDeps {
  mesh: Pick<MeshNode, 'info' | 'list'>;
  alerts: Pick<VersionAlertStore, 'list'>;
  reload: () => ReturnType<DevMeshCore['reloadMesh']>;
  graph: () => ReturnType<DevMeshCore['graph']>;
}

export function meshHandlers(deps: MeshHandlersDeps): HandlersOf<'mesh'> {
  return {
    'mesh.info': () => deps.mesh.info(),
    'mesh.peers': () => deps.mesh.list(),
    'mesh.reload': () => deps.reload(),
    'mesh.graph': () => deps.graph(),
    'mesh.alerts': (i) => deps.alerts.list(i.limit),
  };
}
