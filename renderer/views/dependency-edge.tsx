// A declared dependency, caller → instance, labelled with its range and the requests per second the
// caller sends it. An instance outside the range is a version mismatch: red, dashed, and its tooltip
// names both versions and the range.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import type { GraphEdge, GraphNode } from '../../shared/mesh.js';
import { formatRate } from './format-traffic.js';

export type DependencyEdgeData = { edge: GraphEdge; caller: GraphNode; instance: GraphNode };
export type DependencyFlowEdge = Edge<DependencyEdgeData, 'dependency'>;

export function describeEdge({ edge, caller, instance }: DependencyEdgeData): string {
  const where = instance.local ? 'this machine' : instance.agentName;
  const range = edge.range ?? 'any version';
  if (!edge.satisfied) {
    return `Version mismatch: ${caller.service} ${caller.version} needs ${edge.dependency} ${range}, but ${where}'s ${instance.service} is ${instance.version}`;
  }
  return `${caller.service} → ${edge.dependency} ${range} (${where}: ${instance.version})`;
}

export function DependencyEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd }: EdgeProps<DependencyFlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  if (!data) return <BaseEdge id={id} path={path} markerEnd={markerEnd} />;
  const { edge } = data;
  const tooltip = describeEdge(data);
  const rate = edge.requestsPerSec > 0 ? ` · ${formatRate(edge.requestsPerSec)}/s` : '';
  return (
    <>
      <g className={edge.satisfied ? 'graph-edge' : 'graph-edge mismatch'}>
        <title>{tooltip}</title>
        <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={16} />
      </g>
      <EdgeLabelRenderer>
        <div
          className={edge.satisfied ? 'graph-edge-label nodrag nopan' : 'graph-edge-label mismatch nodrag nopan'}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          title={tooltip}
          data-testid={`graph-edge-${edge.id}`}
        >
          {!edge.satisfied ? '⚠ ' : ''}
          {edge.range ?? '*'}
          {rate}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}
