// Where each box of the service graph goes: dagre ranks the services left to right (a caller left of
// what it depends on) inside one cluster per agent. Pure: a ServiceGraph in, rectangles out, so the
// drawing (React Flow) and the tests share it.
import dagre from '@dagrejs/dagre';
import type { GraphNode, ServiceGraph } from '../../shared/mesh.js';

export const SERVICE_WIDTH = 200;
export const SERVICE_HEIGHT = 64;
/** room above a group's first service for the agent's name */
export const GROUP_HEADER = 28;
const GROUP_PADDING = 16;
const EMPTY_GROUP = { width: 200, height: 56 };

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GroupBox extends Box {
  /** `agent:<agentId>` */
  id: string;
  agentId: string;
  name: string;
  local: boolean;
  state: ServiceGraph['agents'][number]['state'];
}

/** A service's box, in absolute coordinates. */
export interface ServiceBox extends Box {
  id: string;
  groupId: string;
  node: GraphNode;
}

export interface GraphLayout {
  groups: GroupBox[];
  services: ServiceBox[];
}

export const groupIdOf = (agentId: string): string => `agent:${agentId}`;

/** The agents to draw: those the graph lists, plus any a node names that the list left out. */
function agentsOf(graph: ServiceGraph): ServiceGraph['agents'] {
  const agents = [...graph.agents];
  for (const n of graph.nodes) {
    if (!agents.some((a) => a.agentId === n.agentId)) agents.push({ agentId: n.agentId, name: n.agentName, local: n.local, state: n.local ? 'self' : 'connected' });
  }
  // This machine first: dagre keeps insertion order among equals, so it tends to sit on top.
  return agents.sort((a, b) => Number(b.local) - Number(a.local));
}

export function layoutGraph(graph: ServiceGraph): GraphLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  // The header is not something dagre knows of: the gap between ranks and clusters leaves it room.
  g.setGraph({ rankdir: 'LR', nodesep: 24 + GROUP_HEADER, ranksep: 90, marginx: 0, marginy: GROUP_HEADER });
  g.setDefaultEdgeLabel(() => ({}));

  const agents = agentsOf(graph);
  const populated = new Set(graph.nodes.map((n) => n.agentId));
  for (const a of agents) {
    g.setNode(groupIdOf(a.agentId), populated.has(a.agentId) ? {} : { ...EMPTY_GROUP });
  }
  for (const n of graph.nodes) {
    g.setNode(n.id, { width: SERVICE_WIDTH, height: SERVICE_HEIGHT });
    g.setParent(n.id, groupIdOf(n.agentId));
  }
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const e of graph.edges) {
    if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to, { minlen: 1 }, e.id);
  }
  dagre.layout(g);

  // dagre gives centres; React Flow wants top-left corners.
  const services: ServiceBox[] = graph.nodes.map((n) => {
    const p = g.node(n.id);
    return { id: n.id, groupId: groupIdOf(n.agentId), node: n, x: p.x - SERVICE_WIDTH / 2, y: p.y - SERVICE_HEIGHT / 2, width: SERVICE_WIDTH, height: SERVICE_HEIGHT };
  });
  const groups: GroupBox[] = agents.map((a) => {
    const id = groupIdOf(a.agentId);
    const inside = services.filter((s) => s.groupId === id);
    const base = { id, agentId: a.agentId, name: a.name, local: a.local, state: a.state };
    if (inside.length === 0) {
      const p = g.node(id);
      return { ...base, x: p.x - EMPTY_GROUP.width / 2, y: p.y - EMPTY_GROUP.height / 2, ...EMPTY_GROUP };
    }
    // The box around its services, from their own boxes: dagre's cluster border is not always tight.
    const left = Math.min(...inside.map((s) => s.x)) - GROUP_PADDING;
    const top = Math.min(...inside.map((s) => s.y)) - GROUP_PADDING - GROUP_HEADER;
    const right = Math.max(...inside.map((s) => s.x + s.width)) + GROUP_PADDING;
    const bottom = Math.max(...inside.map((s) => s.y + s.height)) + GROUP_PADDING;
    return { ...base, x: left, y: top, width: right - left, height: bottom - top };
  });
  return { groups, services };
}
