import type { LoadedDag } from './spec.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot' | 'json';

/** Node-level edges of the declared DAG: explicit node inputs, and file inputs some node writes. */
export function declaredEdges(dag: LoadedDag): [string, string][] {
  const edges: [string, string][] = [];
  for (const node of dag.spec.nodes) {
    for (const input of node.inputs) {
      const from = typeof input === 'string' ? dag.spec.nodes.filter((n) => n.outputs.includes(input)).map((n) => n.id) : [input.node];
      for (const f of from) if (!edges.some(([a, b]) => a === f && b === node.id)) edges.push([f, node.id]);
    }
  }
  return edges;
}

export function formatGraph(dag: LoadedDag, format: GraphFormat): string {
  const edges = declaredEdges(dag);
  const nodes = dag.spec.nodes;
  switch (format) {
    case 'json':
      return JSON.stringify({
        nodes: nodes.map((n) => ({ id: n.id, task: n.task, per_ticker: n.per_ticker, description: n.description, outputs: n.outputs, params: n.params })),
        edges: edges.map(([from, to]) => ({ from, to })),
      }, null, 2);
    case 'mermaid':
      return ['graph TD', ...nodes.map((n) => `  ${n.id}["${n.id}${n.per_ticker ? ' (per ticker)' : ''}"]`), ...edges.map(([a, b]) => `  ${a} --> ${b}`)].join('\n');
    case 'dot':
      return ['digraph dag {', '  rankdir=LR;', ...nodes.map((n) => `  ${n.id} [label="${n.id}${n.per_ticker ? '\\n(per ticker)' : ''}"];`), ...edges.map(([a, b]) => `  ${a} -> ${b};`), '}'].join('\n');
    case 'text':
      return nodes
        .map((n) => {
          const from = edges.filter(([, b]) => b === n.id).map(([a]) => a);
          return `${n.id}${n.per_ticker ? ' [per ticker]' : ''}  <- ${from.length ? from.join(', ') : '(raw inputs)'}\n    ${n.description}`;
        })
        .join('\n');
  }
}
