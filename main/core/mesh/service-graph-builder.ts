// The service graph (`mesh.graph`, `devmesh graph`): every service of this agent and of its peers as
// nodes grouped by agent, and for every declared dependency of a local service an edge to each instance
// that could serve it, marked unsatisfied when its version is outside the declared range.
import semver from 'semver';
import type { GraphEdge, GraphNode, MeshService, PeerInfo, ServiceGraph } from '../../../shared/mesh.js';
import type { ServiceTraffic } from '../../../shared/proxy.js';

export interface GraphSources {
  self: { agentId: string; name: string };
  local: MeshService[];
  peers: PeerInfo[];
  traffic: ServiceTraffic[];
}

export class ServiceGraphBuilder {
  static build(src: GraphSources): ServiceGraph {
    const nodes: GraphNode[] = [];
    const traffic = new Map(src.traffic.map((t) => [`${t.project}/${t.service}`, t]));
    const add = (agentId: string, agentName: string, local: boolean, s: MeshService): void => {
      const t = local ? traffic.get(`${s.project}/${s.name}`) : undefined;
      nodes.push({
        id: `${agentId}/${s.project}/${s.name}`,
        agentId,
        agentName,
        local,
        project: s.project,
        service: s.name,
        version: s.version,
        state: s.state,
        requestsPerSec: t?.requestsPerSec ?? 0,
        errorsPerSec: t?.errorsPerSec ?? 0,
        p95Ms: t?.p95Ms ?? null,
      });
    };
    for (const s of src.local) add(src.self.agentId, src.self.name, true, s);
    for (const p of src.peers) for (const s of p.services) add(p.agentId, p.name, false, s);

    const edges: GraphEdge[] = [];
    for (const caller of nodes.filter((n) => n.local)) {
      const declared = src.local.find((s) => s.project === caller.project && s.name === caller.service)?.dependsOn ?? [];
      for (const dep of declared) {
        // The same project's instance on this agent, and any peer instance of that name.
        const targets = nodes.filter((n) => n.service === dep.name && (n.local ? n.project === caller.project : true));
        for (const target of targets) {
          const satisfied = dep.range === null || semver.satisfies(target.version, dep.range, { includePrerelease: true });
          edges.push({ id: `${caller.id}->${target.id}`, from: caller.id, to: target.id, dependency: dep.name, range: dep.range, satisfied, requestsPerSec: 0, errorsPerSec: 0 });
        }
      }
    }
    return {
      agents: [
        { agentId: src.self.agentId, name: src.self.name, local: true, state: 'self' },
        ...src.peers.map((p) => ({ agentId: p.agentId, name: p.name, local: false, state: p.state })),
      ],
      nodes,
      edges,
    };
  }
}
