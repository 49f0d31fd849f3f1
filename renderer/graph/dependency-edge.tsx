// A dependency, caller → instance, labelled with its range and, while the caller sends it requests, their
// rate (the p95 latency is in the tooltip). The label sits in the room the layout left for it, over its
// own line and over the boxes' layer, so nothing is drawn across it. An instance outside the range is a version mismatch: red, dashed, and its tooltip
// names both versions and the range. A call the caller does not declare (seen by the proxy) is dashed.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { describeEdge, edgeClass, type DependencyEdgeData } from './edge-description.js';
import { edgeRoute, routePath } from './edge-route.js';
import { formatEdgeTraffic } from '../common/format-traffic.js';
import { labelTextOf } from './graph-layout.js';

export type DependencyFlowEdge = Edge<DependencyEdgeData, 'dependency'>;

export function DependencyEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  data,
  markerEnd,
}: EdgeProps<DependencyFlowEdge>) {
  let [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  if (!data) return <BaseEdge id={id} path={path} markerEnd={markerEnd} />;
  if (data.route) {
    // the layout's route, through the room it left for the label
    path = routePath(edgeRoute({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, data.route.points));
    ({ x: labelX, y: labelY } = data.route.label);
  }
  const { edge } = data;
  const tooltip = describeEdge(data);
  const traffic = formatEdgeTraffic(edge);
  const kind = edgeClass(edge);
  return (
    <>
      <g className={kind ? `graph-edge ${kind}` : 'graph-edge'}>
        <title>{tooltip}</title>
        <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={16} />
      </g>
      <EdgeLabelRenderer>
        <div
          className={kind ? `graph-edge-label ${kind} nodrag nopan` : 'graph-edge-label nodrag nopan'}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          title={tooltip}
          data-testid={`graph-edge-${edge.id}`}
        >
          <span className="graph-edge-range">{labelTextOf(edge)}</span>
          {traffic ? <span className="graph-edge-traffic">{traffic}</span> : null}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}
