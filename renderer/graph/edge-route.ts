// The path a dependency edge is drawn along: from the caller's handle, through the points dagre routed it
// by (its label's centre among them, where the label hides the line), to the instance's handle. Each stretch
// is a cubic Bézier leaving and arriving level, so the joints are smooth and the ends meet the handles
// (on the boxes' left and right sides) head on.

export interface Point {
  x: number;
  y: number;
}

/** An SVG path through `points` (at least two). */
export function routePath(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M ${first.x},${first.y}`;
  let from = first;
  for (const to of rest) {
    const half = (to.x - from.x) / 2;
    d += ` C ${from.x + half},${from.y} ${to.x - half},${to.y} ${to.x},${to.y}`;
    from = to;
  }
  return d;
}

/** The route between the handles React Flow measured, through dagre's inner points (its first and last are
 *  where dagre's own line met the boxes; the handles are what the edge must meet). */
export function edgeRoute(source: Point, target: Point, layoutPoints: readonly Point[]): Point[] {
  return [source, ...layoutPoints.slice(1, -1), target];
}
