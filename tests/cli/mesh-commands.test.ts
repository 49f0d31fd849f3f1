// `devmesh graph` as text and as DOT: nodes by agent, each edge with its range, a mismatch, an undeclared
// call, and the traffic the proxy saw on it when there is some.
import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode, ServiceGraph } from '../../shared/mesh.js';
import { MeshCommands } from '../../main/cli/commands/mesh-commands.js';

const node = (agentId: string, agentName: string, service: string, version: string): GraphNode => ({
  id: `${agentId}/shop/${service}`,
  agentId,
  agentName,
  local: agentId === 'id-me',
  project: 'shop',
  service,
  version,
  state: 'healthy',
  requestsPerSec: 0,
  errorsPerSec: 0,
  p95Ms: null,
});
const edge = (from: GraphNode, to: GraphNode, over: Partial<GraphEdge> = {}): GraphEdge => ({
  id: `${from.id}->${to.id}`,
  from: from.id,
  to: to.id,
  dependency: to.service,
  range: '^2.0',
  satisfied: true,
  declared: true,
  requestsPerSec: 0,
  errorsPerSec: 0,
  p95Ms: null,
  ...over,
});

function graph(): ServiceGraph {
  const web = node('id-me', 'bob', 'web', '1.0.0');
  const worker = node('id-me', 'bob', 'worker', '1.0.0');
  const api = node('id-me', 'bob', 'api', '1.5.0');
  const aliceApi = node('id-alice', 'alice', 'api', '2.3.1');
  return {
    agents: [
      { agentId: 'id-me', name: 'bob', local: true, state: 'self' },
      { agentId: 'id-alice', name: 'alice', local: false, state: 'connected' },
    ],
    nodes: [web, worker, api, aliceApi],
    edges: [
      edge(web, aliceApi, { requestsPerSec: 12, errorsPerSec: 0.6, p95Ms: 3.14 }),
      edge(web, api, { satisfied: false }),
      edge(worker, api, { range: null, declared: false, requestsPerSec: 0.5, errorsPerSec: 0, p95Ms: null }),
    ],
  };
}

describe('devmesh graph', () => {
  it('prints each edge with its traffic when it has some', () => {
    expect(MeshCommands.text(graph()).split('\n')).toEqual([
      'bob (this machine)',
      '  shop/web@1.0.0  healthy',
      '    → api ^2.0: alice/api@2.3.1  12.0 req/s, 5% errors, p95 3.1 ms',
      '    → api ^2.0: bob/api@1.5.0  MISMATCH',
      '  shop/worker@1.0.0  healthy',
      '    → api (undeclared): bob/api@1.5.0  0.5 req/s, 0% errors',
      '  shop/api@1.5.0  healthy',
      'alice (connected)',
      '  shop/api@2.3.1  healthy',
    ]);
  });

  it('labels DOT edges with the range and the traffic; mismatches red and dashed, undeclared calls dashed', () => {
    const dot = MeshCommands.dot(graph()).split('\n');
    expect(dot).toContain(
      '  "id-me/shop/web" -> "id-alice/shop/api" [label="^2.0\\n12.0 req/s, 5% errors, p95 3.1 ms"];',
    );
    expect(dot).toContain('  "id-me/shop/web" -> "id-me/shop/api" [label="^2.0", color=red, style=dashed];');
    expect(dot).toContain(
      '  "id-me/shop/worker" -> "id-me/shop/api" [label="undeclared\\n0.5 req/s, 0% errors", style=dashed];',
    );
    // a label breaks on DOT's `\n`, not on a literal backslash
    expect(dot).toContain('    "id-alice/shop/api" [label="api@2.3.1\\nhealthy"];');
  });
});
