// Where each box of the service graph goes: dagre ranks the services left to right (a caller left of
// what it depends on) inside one cluster per agent, and gives each dependency's label (its range) a rank
// of its own between them, so no label sits on a box, another label or another edge; each edge's route
// runs through its label. Pure: a ServiceGraph in, rectangles and routes out, so the drawing (React Flow)
// and the tests share it.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode, ServiceGraph } from '../../shared/mesh.js';

export const SERVICE_WIDTH = 200;
export const SERVICE_HEIGHT = 64;
/** room above a group's first service for the agent's name */
export const GROUP_HEADER = 28;
const GROUP_PADDING = 16;
const EMPTY_GROUP = { width: 200, height: 56 };

/** An edge label's room (graph.css draws it): its range on one line at 12 px (a monospace character is
 *  0.6 em), and the traffic line under it at 11 px when requests flow; wider ranges are cut with an
 *  ellipsis (the tooltip has them whole). */
const LABEL_CHAR_WIDTH = 7.3;
const LABEL_PADDING = 22;
export const LABEL_MIN_WIDTH = 56;
export const LABEL_MAX_WIDTH = 180;
export const LABEL_HEIGHT = 38;
/** between a box and a label; the traffic line (at most "12.3 req/s", 10 characters at 11 px) is at most
 *  this plus LABEL_MIN_WIDTH wide, so it stays clear of the boxes too */
const LABEL_GAP = 28;

/** What an edge's label says of its range: `⚠ ^1.2` for a mismatch, `undeclared` for a call not declared. */
export function labelTextOf(edge: Pick<GraphEdge, 'range' | 'declared' | 'satisfied'>): string {
  return `${edge.satisfied ? '' : '⚠ '}${edge.declared ? (edge.range ?? '*') : 'undeclared'}`;
}

export function labelWidthOf(edge: Pick<GraphEdge, 'range' | 'declared' | 'satisfied'>): number {
  const width = Math.ceil([...labelTextOf(edge)].length * LABEL_CHAR_WIDTH + LABEL_PADDING);
  return Math.min(LABEL_MAX_WIDTH, Math.max(LABEL_MIN_WIDTH, width));
}

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

/** An edge's label, in absolute coordinates, and the route its edge takes through the label's centre. */
export interface LabelBox extends Box {
  /** the edge's id */
  id: string;
  /** dagre's route: from the caller's box to the instance's, through the label's centre */
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  groups: GroupBox[];
  services: ServiceBox[];
  labels: LabelBox[];
}

export const groupIdOf = (agentId: string): string => `agent:${agentId}`;

/** The agents to draw: those the graph lists, plus any a node names that the list left out. */
function agentsOf(graph: ServiceGraph): ServiceGraph['agents'] {
  const agents = [...graph.agents];
  for (const n of graph.nodes) {
    if (!agents.some((a) => a.agentId === n.agentId))
      agents.push({ agentId: n.agentId, name: n.agentName, local: n.local, state: n.local ? 'self' : 'connected' });
  }
  // This machine first: dagre keeps insertion order among equals, so it tends to sit on top.
  return agents.sort((a, b) => Number(b.local) - Number(a.local));
}

type PlacedEdge = { x: number; y: number; points: Array<{ x: number; y: number }> };

export function layoutGraph(graph: ServiceGraph): GraphLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  // The header is not something dagre knows of: the gap between ranks and clusters leaves it room.
  // (dagre halves ranksep when edges have labels: a label's rank sits LABEL_GAP from each box)
  g.setGraph({ rankdir: 'LR', nodesep: 24 + GROUP_HEADER, ranksep: 2 * LABEL_GAP, marginx: 0, marginy: GROUP_HEADER });
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
  const drawn = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  for (const e of drawn)
    g.setEdge(e.from, e.to, { minlen: 1, width: labelWidthOf(e), height: LABEL_HEIGHT, labelpos: 'c' }, e.id);
  dagre.layout(g);
  // graphlib's labels are untyped; after layout() a node's label holds its centre, an edge's its label's centre
  // and its points.
  const centreOf = (id: string) => g.node(id) as { x: number; y: number };

  // dagre gives centres; React Flow wants top-left corners.
  const services: ServiceBox[] = graph.nodes.map((n) => {
    const p = centreOf(n.id);
    return {
      id: n.id,
      groupId: groupIdOf(n.agentId),
      node: n,
      x: p.x - SERVICE_WIDTH / 2,
      y: p.y - SERVICE_HEIGHT / 2,
      width: SERVICE_WIDTH,
      height: SERVICE_HEIGHT,
    };
  });
  const groups: GroupBox[] = agents.map((a) => {
    const id = groupIdOf(a.agentId);
    const inside = services.filter((s) => s.groupId === id);
    const base = { id, agentId: a.agentId, name: a.name, local: a.local, state: a.state };
    if (inside.length === 0) {
      const p = centreOf(id);
      return { ...base, x: p.x - EMPTY_GROUP.width / 2, y: p.y - EMPTY_GROUP.height / 2, ...EMPTY_GROUP };
    }
    // The box around its services, from their own boxes: dagre's cluster border is not always tight.
    const left = Math.min(...inside.map((s) => s.x)) - GROUP_PADDING;
    const top = Math.min(...inside.map((s) => s.y)) - GROUP_PADDING - GROUP_HEADER;
    const right = Math.max(...inside.map((s) => s.x + s.width)) + GROUP_PADDING;
    const bottom = Math.max(...inside.map((s) => s.y + s.height)) + GROUP_PADDING;
    return { ...base, x: left, y: top, width: right - left, height: bottom - top };
  });
  const labels: LabelBox[] = drawn.map((e) => {
    const d = g.edge({ v: e.from, w: e.to, name: e.id }) as PlacedEdge;
    const width = labelWidthOf(e);
    return {
      id: e.id,
      x: d.x - width / 2,
      y: d.y - LABEL_HEIGHT / 2,
      width,
      height: LABEL_HEIGHT,
      points: d.points.map((p) => ({ x: p.x, y: p.y })),
    };
  });
  return { groups, services, labels };
}
