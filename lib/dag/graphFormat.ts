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

/** How a node fans out, for people: 'per ticker', 'per element of ml.horizons', 'per element of a derived list'. */
function fanLabel(n: LoadedDag['spec']['nodes'][number]): string {
  if (n.per_ticker) return 'per ticker';
  if (!n.fanout) return '';
  return 'over' in n.fanout ? `per element of ${n.fanout.over}` : `per element of ${n.fanout.derive}`;
}

export function formatGraph(dag: LoadedDag, format: GraphFormat): string {
  const edges = declaredEdges(dag);
  const nodes = dag.spec.nodes;
  switch (format) {
    case 'json':
      return JSON.stringify({
        nodes: nodes.map((n) => ({ id: n.id, task: n.task, per_ticker: n.per_ticker, ...(n.fanout ? { fanout: n.fanout } : {}), description: n.description, outputs: n.outputs, params: n.params })),
        edges: edges.map(([from, to]) => ({ from, to })),
      }, null, 2);
    case 'mermaid':
      return ['graph TD', ...nodes.map((n) => `  ${n.id}["${n.id}${fanLabel(n) ? ` (${fanLabel(n)})` : ''}"]`), ...edges.map(([a, b]) => `  ${a} --> ${b}`)].join('\n');
    case 'dot':
      return ['digraph dag {', '  rankdir=LR;', ...nodes.map((n) => `  ${n.id} [label="${n.id}${fanLabel(n) ? `\\n(${fanLabel(n)})` : ''}"];`), ...edges.map(([a, b]) => `  ${a} -> ${b};`), '}'].join('\n');
    case 'text':
      return nodes
        .map((n) => {
          const from = edges.filter(([, b]) => b === n.id).map(([a]) => a);
          return `${n.id}${fanLabel(n) ? ` [${fanLabel(n)}]` : ''}  <- ${from.length ? from.join(', ') : '(raw inputs)'}\n    ${n.description}`;
        })
        .join('\n');
  }
}
