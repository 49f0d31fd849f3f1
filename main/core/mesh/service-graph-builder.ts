// The service graph (`mesh.graph`, `devmesh graph`): every service of this agent and of its peers as
// nodes grouped by agent; for every declared dependency of a local service an edge to each instance
// that could serve it, marked unsatisfied when its version is outside the declared range; and an edge for
// every call this agent's proxy saw a local service make to an instance it does not declare (undeclared).
// Edges carry the traffic the proxy observed from that caller to that instance.
import semver from 'semver';
import type { GraphEdge, GraphNode, MeshService, PeerInfo, ServiceGraph } from '../../../shared/mesh.js';
import type { EdgeTraffic, ServiceTraffic } from '../../../shared/proxy.js';

export interface GraphSources {
  self: { agentId: string; name: string };
  local: MeshService[];
  peers: PeerInfo[];
  traffic: ServiceTraffic[];
  /** per caller (`web.shop`) → instance (node id), from TrafficStats.edges() */
  edgeTraffic: EdgeTraffic[];
}

export function build(src: GraphSources): ServiceGraph {
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

  // The proxy names a caller `web.shop`; it runs on this agent, so its node is `<self>/shop/web`.
  const observed = new Map<string, { from: string; t: EdgeTraffic }>();
  for (const t of src.edgeTraffic) {
    const dot = t.caller.indexOf('.');
    if (dot < 0) continue;
    const from = `${src.self.agentId}/${t.caller.slice(dot + 1)}/${t.caller.slice(0, dot)}`;
    observed.set(`${from}->${t.instance}`, { from, t });
  }
  const withTraffic = (id: string) => {
    const t = observed.get(id)?.t;
    observed.delete(id);
    return { requestsPerSec: t?.requestsPerSec ?? 0, errorsPerSec: t?.errorsPerSec ?? 0, p95Ms: t?.p95Ms ?? null };
  };

  const edges: GraphEdge[] = [];
  for (const caller of nodes.filter((n) => n.local)) {
    const declared = src.local.find((s) => s.project === caller.project && s.name === caller.service)?.dependsOn ?? [];
    for (const dep of declared) {
      // The same project's instance on this agent, and any peer instance of that name.
      const targets = nodes.filter((n) => n.service === dep.name && (n.local ? n.project === caller.project : true));
      for (const target of targets) {
        const satisfied =
          dep.range === null || semver.satisfies(target.version, dep.range, { includePrerelease: true });
        const id = `${caller.id}->${target.id}`;
        edges.push({
          id,
          from: caller.id,
          to: target.id,
          dependency: dep.name,
          range: dep.range,
          satisfied,
          declared: true,
          ...withTraffic(id),
        });
      }
    }
  }
  // What is left was called without being declared: real calls a user wants to see. Both ends must be
  // nodes of the graph (a service since closed, or a peer since gone, has no node to draw an edge to).
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [id, { from: fromId, t }] of observed) {
    const from = byId.get(fromId);
    const to = byId.get(t.instance);
    if (from === undefined || !from.local || to === undefined) continue;
    edges.push({
      id,
      from: from.id,
      to: to.id,
      dependency: to.service,
      range: null,
      satisfied: true,
      declared: false,
      requestsPerSec: t.requestsPerSec,
      errorsPerSec: t.errorsPerSec,
      p95Ms: t.p95Ms,
    });
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
