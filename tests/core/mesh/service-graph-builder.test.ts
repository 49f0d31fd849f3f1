// The service graph's edges: declared dependencies to every instance that could serve them, with the
// traffic the proxy saw each caller send each instance, and undeclared calls drawn as edges of their own.
import { describe, expect, it } from 'vitest';
import type { MeshService, PeerInfo } from '../../../shared/mesh.js';
import type { EdgeTraffic } from '../../../shared/proxy.js';
import * as serviceGraphBuilder from '../../../main/core/mesh/service-graph-builder.js';
import type { GraphSources } from '../../../main/core/mesh/service-graph-builder.js';

const svc = (name: string, version: string, dependsOn: MeshService['dependsOn'] = []): MeshService => ({
  project: 'shop',
  name,
  version,
  state: 'healthy',
  dependsOn,
});
const alice: PeerInfo = {
  agentId: 'id-alice',
  name: 'alice',
  address: '10.0.0.2:7791',
  state: 'connected',
  via: 'static',
  latencyMs: 1,
  lastHeartbeat: 1,
  since: 1,
  services: [svc('api', '2.3.1'), svc('billing', '1.0.0')],
  bytesSent: 0,
  bytesReceived: 0,
  sync: { applied: 0, duplicates: 0, resyncs: 0, snapshots: 1 },
};
const traffic = (caller: string, instance: string, over: Partial<EdgeTraffic> = {}): EdgeTraffic => ({
  caller,
  instance,
  requests: 120,
  errors: 6,
  requestsPerSec: 12,
  errorsPerSec: 0.6,
  p95Ms: 3.1,
  ...over,
});
const sources = (edgeTraffic: EdgeTraffic[]): GraphSources => ({
  self: { agentId: 'id-me', name: 'bob' },
  local: [svc('web', '1.0.0', [{ name: 'api', range: '^2.0' }]), svc('api', '1.5.0'), svc('worker', '1.0.0')],
  peers: [alice],
  traffic: [],
  edgeTraffic,
});

describe('serviceGraphBuilder edges', () => {
  it('carries the traffic each caller sent each instance of a declared dependency', () => {
    const g = serviceGraphBuilder.build(sources([traffic('web.shop', 'id-alice/shop/api')]));
    const toAlice = g.edges.find((e) => e.id === 'id-me/shop/web->id-alice/shop/api');
    expect(toAlice).toEqual({
      id: 'id-me/shop/web->id-alice/shop/api',
      from: 'id-me/shop/web',
      to: 'id-alice/shop/api',
      dependency: 'api',
      range: '^2.0',
      satisfied: true,
      declared: true,
      requestsPerSec: 12,
      errorsPerSec: 0.6,
      p95Ms: 3.1,
    });
    // the local api (1.5.0) is outside ^2.0 and saw no traffic from web
    expect(g.edges.find((e) => e.to === 'id-me/shop/api')).toMatchObject({
      satisfied: false,
      declared: true,
      requestsPerSec: 0,
      errorsPerSec: 0,
      p95Ms: null,
    });
    expect(g.edges).toHaveLength(2);
  });

  it('draws an undeclared call as an edge, named after the service it reached', () => {
    const g = serviceGraphBuilder.build(
      sources([
        traffic('worker.shop', 'id-me/shop/api', { requestsPerSec: 2, errorsPerSec: 0, p95Ms: 8 }),
        traffic('web.shop', 'id-alice/shop/billing', { requestsPerSec: 0.5 }),
      ]),
    );
    expect(g.edges.find((e) => e.from === 'id-me/shop/worker')).toEqual({
      id: 'id-me/shop/worker->id-me/shop/api',
      from: 'id-me/shop/worker',
      to: 'id-me/shop/api',
      dependency: 'api',
      range: null,
      satisfied: true,
      declared: false,
      requestsPerSec: 2,
      errorsPerSec: 0,
      p95Ms: 8,
    });
    expect(g.edges.find((e) => e.to === 'id-alice/shop/billing')).toMatchObject({
      from: 'id-me/shop/web',
      dependency: 'billing',
      declared: false,
      requestsPerSec: 0.5,
    });
    expect(g.edges.filter((e) => e.declared)).toHaveLength(2);
    expect(g.edges).toHaveLength(4);
  });

  it('leaves out traffic whose caller or instance is not a node (closed project, gone peer, bad caller name)', () => {
    const g = serviceGraphBuilder.build(
      sources([
        traffic('web.blog', 'id-me/shop/api'), // no such caller here
        traffic('web.shop', 'id-carol/shop/api'), // carol is not a peer (any more)
        traffic('web', 'id-me/shop/api'), // not `service.project`
      ]),
    );
    expect(g.edges.every((e) => e.declared && e.requestsPerSec === 0)).toBe(true);
    expect(g.edges).toHaveLength(2);
  });
});
