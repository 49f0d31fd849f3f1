// Mesh values for renderer tests: peers, alerts and service graphs as the daemon would send them.
import type { GraphEdge, GraphNode, MeshInfo, PeerInfo, ServiceGraph, VersionAlert } from '../../../shared/mesh.js';

export const meshInfo = (over: Partial<MeshInfo> = {}): MeshInfo => ({
  member: true,
  meshId: 'mesh-1',
  agentId: 'me',
  name: 'bob',
  port: 7790,
  ingressPort: 7791,
  addresses: ['10.0.0.2:7790'],
  mdns: true,
  problems: [],
  ...over,
});

export const peer = (agentId: string, over: Partial<PeerInfo> = {}): PeerInfo => ({
  agentId,
  name: agentId,
  address: `10.0.0.9:7790`,
  state: 'connected',
  via: 'mdns',
  latencyMs: 3,
  lastHeartbeat: 1_000,
  since: 1_000,
  services: [{ project: 'shop', name: 'auth', version: '3.0.0', state: 'healthy', dependsOn: [] }],
  sync: { applied: 0, duplicates: 0, resyncs: 0, snapshots: 1 },
  bytesSent: 0,
  bytesReceived: 0,
  ...over,
});

export const alert = (id: number, over: Partial<VersionAlert> = {}): VersionAlert => ({
  id,
  firstTs: 1_000,
  lastTs: 1_000 + id,
  count: 1,
  caller: { project: 'shop', service: 'web', version: '1.0.0' },
  dependency: 'auth',
  range: '^2.1',
  instance: { agent: 'alice', agentId: 'alice', local: false, project: 'shop', service: 'auth', version: '3.0.0' },
  action: 'warned',
  ...over,
});

export const node = (agentId: string, service: string, over: Partial<GraphNode> = {}): GraphNode => ({
  id: `${agentId}/shop/${service}`,
  agentId,
  agentName: agentId,
  local: agentId === 'me',
  project: 'shop',
  service,
  version: '1.0.0',
  state: 'healthy',
  requestsPerSec: 0,
  errorsPerSec: 0,
  p95Ms: null,
  ...over,
});

export const edge = (from: GraphNode, to: GraphNode, over: Partial<GraphEdge> = {}): GraphEdge => ({
  id: `${from.id}->${to.id}`,
  from: from.id,
  to: to.id,
  dependency: to.service,
  range: '^1.0',
  satisfied: true,
  declared: true,
  requestsPerSec: 0,
  errorsPerSec: 0,
  p95Ms: null,
  ...over,
});

/** web → api → (auth on this machine, auth on alice's), db beside api; alice also runs a billing service. */
export function shopGraph(): ServiceGraph {
  const web = node('me', 'web');
  const api = node('me', 'api');
  const db = node('me', 'db');
  const auth = node('me', 'auth');
  const aliceAuth = node('alice', 'auth', { version: '3.0.0' });
  const billing = node('alice', 'billing');
  return {
    agents: [
      { agentId: 'me', name: 'bob', local: true, state: 'self' },
      { agentId: 'alice', name: 'alice', local: false, state: 'connected' },
      { agentId: 'carol', name: 'carol', local: false, state: 'unreachable' },
    ],
    nodes: [web, api, db, auth, aliceAuth, billing],
    edges: [
      edge(web, api),
      edge(api, db),
      edge(api, auth),
      edge(api, aliceAuth, { range: '^1.0', satisfied: false }),
      edge(billing, db),
    ],
  };
}
