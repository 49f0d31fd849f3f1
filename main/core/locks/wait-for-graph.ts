// The wait-for graph between holders: an edge from a waiting holder to each holder it waits on (one that
// holds a conflicting lock, or one queued ahead of it with a conflicting request). A cycle is a deadlock.

export interface WaitEdge<W> {
  from: string;
  to: string;
  /** the waiting request that makes this edge */
  waiter: W;
  /** what `to` holds or asks for that is in the way ("WRITE src/x.ts") */
  label: string;
}

export class WaitForGraph<W> {
  private readonly out = new Map<string, WaitEdge<W>[]>();

  add(edge: WaitEdge<W>): void {
    if (edge.from === edge.to) return; // a holder never waits on itself
    const list = this.out.get(edge.from);
    if (list) list.push(edge);
    else this.out.set(edge.from, [edge]);
  }

  /** a cycle through `start` as its edges in order (the first leaves `start`), or null */
  cycleThrough(start: string): WaitEdge<W>[] | null {
    const visited = new Set<string>([start]);
    const path: WaitEdge<W>[] = [];
    const cursors: number[] = [0];
    const nodes: string[] = [start];
    while (nodes.length > 0) {
      const depth = nodes.length - 1;
      const edges = this.out.get(nodes[depth]!) ?? [];
      const i = cursors[depth]!;
      if (i >= edges.length) {
        nodes.pop();
        cursors.pop();
        path.pop();
        continue;
      }
      cursors[depth] = i + 1;
      const edge = edges[i]!;
      if (edge.to === start) return [...path, edge];
      if (visited.has(edge.to)) continue;
      visited.add(edge.to);
      path.push(edge);
      nodes.push(edge.to);
      cursors.push(0);
    }
    return null;
  }

  /** "a waits for b (WRITE x) which waits for a (READ y)" */
  static describe<W>(cycle: readonly WaitEdge<W>[]): string {
    return cycle.map((e, i) => `${i === 0 ? `${e.from} waits for` : 'which waits for'} ${e.to} (${e.label})`).join(' ');
  }
}
