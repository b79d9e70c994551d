import dagre from '@dagrejs/dagre';

export interface Placed {
  x: number;
  y: number;
}

export const NODE_WIDTH = 130;
export const NODE_HEIGHT = 42;

/** Left-to-right layered layout (dagre's Sugiyama layering) of a small node-level graph. */
export function layoutLeftToRight(nodes: string[], edges: [string, string][]): Map<string, Placed> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 40, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of nodes) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [from, to] of edges) g.setEdge(from, to);
  dagre.layout(g);
  const out = new Map<string, Placed>();
  for (const id of nodes) {
    const n = g.node(id);
    out.set(id, { x: Math.round(n.x), y: Math.round(n.y) });
  }
  return out;
}
