// What a service graph edge says of itself: its tooltip and its modifier class, apart from the React
// Flow component (DependencyEdge) so they can be read and tested without a DOM.
import type { GraphEdge, GraphNode } from '../../shared/mesh.js';
import { formatLatency, formatRate } from '../common/format-traffic.js';

export type DependencyEdgeData = {
  edge: GraphEdge;
  caller: GraphNode;
  instance: GraphNode;
  /** where the layout put the label (its centre) and routed the edge, in flow coordinates */
  route?: { label: { x: number; y: number }; points: { x: number; y: number }[] };
};

export function describeEdge({ edge, caller, instance }: DependencyEdgeData): string {
  const where = instance.local ? 'this machine' : instance.agentName;
  const range = edge.range ?? 'any version';
  const traffic =
    edge.requestsPerSec > 0
      ? `; ${formatRate(edge.requestsPerSec)} req/s, ${formatRate(edge.errorsPerSec)} err/s${edge.p95Ms !== null ? `, p95 ${formatLatency(edge.p95Ms)}` : ''} over the last 10 s`
      : '';
  if (!edge.satisfied) {
    return `Version mismatch: ${caller.service} ${caller.version} needs ${edge.dependency} ${range}, but ${where}'s ${instance.service} is ${instance.version}${traffic}`;
  }
  if (!edge.declared) {
    return `${caller.service} calls ${instance.service} (${where}: ${instance.version}) without declaring it in depends_on${traffic}`;
  }
  return `${caller.service} → ${edge.dependency} ${range} (${where}: ${instance.version})${traffic}`;
}

/** The edge's modifier class: `mismatch` (red, dashed), `undeclared` (dashed), or none. */
export function edgeClass(edge: GraphEdge): string {
  return !edge.satisfied ? 'mismatch' : edge.declared ? '' : 'undeclared';
}
