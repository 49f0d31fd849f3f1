// The service graph's layout: callers left of what they depend on, nothing drawn over anything else (edge
// labels included), and each agent's box around its own services.
import { describe, expect, it } from 'vitest';
import { LABEL_MAX_WIDTH, labelWidthOf, layoutGraph, type Box } from '../../../renderer/graph/graph-layout.js';
import { shopGraph } from './mesh-fixtures.js';

const overlap = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

describe('layoutGraph', () => {
  const graph = shopGraph();
  const layout = layoutGraph(graph);
  const box = (id: string) => layout.services.find((s) => s.id === id)!;

  it('places every caller left of its dependencies', () => {
    expect(graph.edges.length).toBeGreaterThan(0);
    for (const e of graph.edges) {
      expect(box(e.from).x + box(e.from).width, `${e.from} → ${e.to}`).toBeLessThan(box(e.to).x);
    }
  });

  it('draws no service over another, and no agent group over another', () => {
    expect(layout.services).toHaveLength(graph.nodes.length);
    for (const [i, a] of layout.services.entries()) {
      for (const b of layout.services.slice(i + 1)) expect(overlap(a, b), `${a.id} / ${b.id}`).toBe(false);
    }
    expect(layout.groups.map((g) => g.name).sort()).toEqual(['alice', 'bob', 'carol']);
    for (const [i, a] of layout.groups.entries()) {
      for (const b of layout.groups.slice(i + 1)) expect(overlap(a, b), `${a.name} / ${b.name}`).toBe(false);
    }
  });

  it("puts each service inside its agent's group and no other", () => {
    for (const s of layout.services) {
      for (const g of layout.groups) expect(inside(s, g), `${s.id} in ${g.name}`).toBe(g.id === s.groupId);
    }
    // carol runs nothing (unreachable): an empty box of its own, still drawn.
    const carol = layout.groups.find((g) => g.name === 'carol')!;
    expect(carol.state).toBe('unreachable');
    expect(carol.width).toBeGreaterThan(0);
  });

  it('gives every edge room for its label: clear of every service box and of every other label', () => {
    const labels = layout.labels;
    expect(labels.map((l) => l.id).sort()).toEqual(
      graph.edges
        .filter((e) => e.from !== e.to)
        .map((e) => e.id)
        .sort(),
    );
    for (const l of labels) {
      for (const s of layout.services) expect(overlap(l, s), `label ${l.id} over ${s.id}`).toBe(false);
      for (const other of labels)
        if (other !== l) expect(overlap(l, other), `label ${l.id} over ${other.id}`).toBe(false);
      expect(l.width).toBeGreaterThanOrEqual(labelWidthOf(graph.edges.find((e) => e.id === l.id)!));
      // the edge runs through its label: from its caller's side to its instance's
      const e = graph.edges.find((x) => x.id === l.id)!;
      expect(l.points.length).toBeGreaterThanOrEqual(3);
      expect(l.x).toBeGreaterThanOrEqual(box(e.from).x + box(e.from).width);
      expect(l.x + l.width).toBeLessThanOrEqual(box(e.to).x);
    }
  });

  it('makes a label as wide as its range needs, within bounds', () => {
    const short = labelWidthOf({ range: '^1.2', declared: true, satisfied: true });
    const mismatch = labelWidthOf({ range: '^1.2', declared: true, satisfied: false });
    const long = labelWidthOf({ range: '>=1.2.3 <2.0.0 || ^3.0.0-beta.1 || ~4.1', declared: true, satisfied: true });
    expect(mismatch).toBeGreaterThan(short);
    expect(long).toBeGreaterThan(mismatch);
    expect(long).toBeLessThanOrEqual(LABEL_MAX_WIDTH);
  });

  it('lays out an empty graph as nothing', () => {
    expect(layoutGraph({ agents: [], nodes: [], edges: [] })).toEqual({ groups: [], services: [], labels: [] });
  });
});
