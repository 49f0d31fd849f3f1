// The service graph drawn with React Flow: one box per agent holding its services, laid out by dagre
// (left → right), dependency edges between them. Read-only: the layout is the daemon's graph, not a
// drawing the user edits.
import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { ServiceGraph } from '../../shared/mesh.js';
import { AgentGroupNode, type AgentGroupFlowNode } from './agent-group-node.js';
import { DependencyEdge, type DependencyFlowEdge } from './dependency-edge.js';
import { layoutGraph } from './graph-layout.js';
import { ServiceNode, type ServiceFlowNode } from './service-node.js';
import { useApp } from '../shell/app-context.js';

const nodeTypes = { service: ServiceNode, agent: AgentGroupNode };
const edgeTypes = { dependency: DependencyEdge };

/** React Flow's nodes (each group before its services, with their positions relative to it) and edges. */
export function toFlowElements(graph: ServiceGraph): { nodes: Node[]; edges: Edge[] } {
  const layout = layoutGraph(graph);
  const nodes: Node[] = [];
  for (const group of layout.groups) {
    const services = layout.services.filter((s) => s.groupId === group.id);
    const dimmed = group.state === 'unreachable';
    const groupNode: AgentGroupFlowNode = {
      id: group.id,
      type: 'agent',
      position: { x: group.x, y: group.y },
      data: { group, empty: services.length === 0 },
      style: { width: group.width, height: group.height },
      selectable: false,
      zIndex: 0,
    };
    nodes.push(groupNode);
    for (const s of services) {
      const serviceNode: ServiceFlowNode = {
        id: s.id,
        type: 'service',
        parentId: group.id,
        position: { x: s.x - group.x, y: s.y - group.y },
        data: { node: s.node, dimmed },
        style: { width: s.width, height: s.height },
        zIndex: 1,
      };
      nodes.push(serviceNode);
    }
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const labels = new Map(layout.labels.map((l) => [l.id, l]));
  const edges: Edge[] = [];
  for (const e of graph.edges) {
    const caller = byId.get(e.from);
    const instance = byId.get(e.to);
    if (!caller || !instance) continue;
    const label = labels.get(e.id);
    const route = label
      ? { label: { x: label.x + label.width / 2, y: label.y + label.height / 2 }, points: label.points }
      : undefined;
    const edge: DependencyFlowEdge = {
      id: e.id,
      type: 'dependency',
      source: e.from,
      target: e.to,
      data: { edge: e, caller, instance, ...(route ? { route } : {}) },
      animated: e.satisfied && e.requestsPerSec > 0,
      markerEnd: { type: MarkerType.ArrowClosed },
      zIndex: 2,
    };
    edges.push(edge);
  }
  return { nodes, edges };
}

export function ServiceGraphCanvas({ graph }: { graph: ServiceGraph }) {
  const { nodes, edges } = useMemo(() => toFlowElements(graph), [graph]);
  // the app's theme: the OS's, or the one the user pinned
  const { stores } = useApp();
  const theme = useStore(stores.theme, (s) => s.preference);
  return (
    <div className="graph-canvas" data-testid="graph-canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        colorMode={theme}
        fitView
        minZoom={0.2}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
