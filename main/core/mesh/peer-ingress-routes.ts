// The routes of the peer ingress: the listener where teammates' proxies send the requests they route to
// this agent's services. A request is served only when it carries the credentials of a peer holding a live
// authenticated link (MeshNode.admit), and only by this machine's own instances: an ingress never forwards
// on to a third agent and never starts a service for a teammate.
import type { ProxyRoutes } from '../proxy/proxy-limits.js';
import type { RequestFacts, RouteDecision } from '../proxy/route-decision.js';
import type { RouteTable } from '../proxy/route-table.js';
import type { MeshNode } from './mesh-node.js';

export class PeerIngressRoutes implements ProxyRoutes {
  constructor(
    private readonly table: RouteTable,
    private readonly node: Pick<MeshNode, 'admit'>,
  ) {}

  resolve(hostHeader: string | undefined, path: string, facts: RequestFacts): RouteDecision {
    const admitted = this.node.admit(facts.meshAuth);
    if ('refused' in admitted) return { kind: 'denied', message: `DevMesh peer ingress: ${admitted.refused}.` };
    return this.table.resolveLocal(hostHeader, path);
  }

  ensureRunning(): Promise<void> {
    return Promise.reject(new Error('the peer ingress does not start services'));
  }

  reportFailure(): void {}
}
