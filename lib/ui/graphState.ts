import type { Project } from '../dag/project.js';
import type { Assessment } from '../dag/assess.js';
import { declaredEdges } from '../dag/graphFormat.js';
import { layoutLeftToRight, NODE_HEIGHT, NODE_WIDTH, type Placed } from './layout.js';
import type { LoadedDag } from '../dag/spec.js';
import type { Outcome } from './runLog.js';

/**
 * Which state a node with instances in several states shows: the first of this list it has.
 * A state not listed (a new action a run log names) ranks just before `fresh`.
 */
const PRIORITY = ['failed', 'running', 'missing', 'stale'];
const LAST = ['fresh', 'disabled'];

function rank(state: string): number {
  const i = PRIORITY.indexOf(state);
  if (i >= 0) return i;
  const j = LAST.indexOf(state);
  return j >= 0 ? PRIORITY.length + 1 + j : PRIORITY.length;
}

export function dominantState(counts: Record<string, number>): string {
  return Object.keys(counts).filter((s) => counts[s] > 0).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0] ?? 'disabled';
}

export interface Overlay {
  /** Instances a live run has started and not finished. */
  running: Set<string>;
  /** Each instance's latest outcome other than a cache hit (see RunIndex.lastOutcomes). */
  last: Map<string, Outcome & { run: string }>;
}

export interface InstanceView {
  id: string;
  node: string;
  ticker: string | null;
  state: string;
  reasons: string[];
}

/**
 * An instance's state as the UI shows it: `running` while a live run works on it; for a fresh
 * instance whose last outcome was neither `ran` nor a cache hit (e.g. `restored`), that outcome;
 * else what `dag status` says.
 */
export function instanceView(project: Project, id: string, a: Assessment, overlay: Overlay): InstanceView {
  const inst = project.plan.instances.get(id)!;
  const base = { id, node: inst.node.id, ticker: inst.ticker ?? null };
  if (overlay.running.has(id)) return { ...base, state: 'running', reasons: ['running now', ...a.reasons] };
  const last = overlay.last.get(id);
  if (a.state === 'fresh' && last && last.action !== 'ran') return { ...base, state: last.action, reasons: [`${last.action} in run ${last.run}`] };
  return { ...base, state: a.state, reasons: a.reasons };
}

export interface GraphNodeView {
  id: string;
  description: string;
  perTicker: boolean;
  instances: number;
  counts: Record<string, number>;
  state: string;
  x: number;
  y: number;
}

export interface GraphView {
  description: string | null;
  tickers: number;
  /** Size of a node's box in the layout's units (px at scale 1). */
  nodeWidth: number;
  nodeHeight: number;
  nodes: GraphNodeView[];
  edges: { from: string; to: string }[];
}

const layouts = new WeakMap<LoadedDag, { edges: [string, string][]; placed: Map<string, Placed> }>();

/** The DAG's edges and layout, computed once per loaded DAG file. */
function layoutOf(dag: LoadedDag): { edges: [string, string][]; placed: Map<string, Placed> } {
  let hit = layouts.get(dag);
  if (!hit) {
    const edges = declaredEdges(dag);
    hit = { edges, placed: layoutLeftToRight(dag.spec.nodes.map((n) => n.id), edges) };
    layouts.set(dag, hit);
  }
  return hit;
}

/** Every declared node with per-state instance counts (fan-out collapsed), edges, and a layout. */
export function graphView(project: Project, views: InstanceView[]): GraphView {
  const counts = new Map<string, Record<string, number>>();
  for (const v of views) {
    const c = counts.get(v.node) ?? {};
    c[v.state] = (c[v.state] ?? 0) + 1;
    counts.set(v.node, c);
  }
  const { edges, placed } = layoutOf(project.dag);
  return {
    description: project.dag.spec.description ?? null,
    tickers: project.plan.tickers.length,
    nodeWidth: NODE_WIDTH,
    nodeHeight: NODE_HEIGHT,
    nodes: project.dag.spec.nodes.map((n) => {
      const c = counts.get(n.id) ?? {};
      const instances = Object.values(c).reduce((a, b) => a + b, 0);
      return { id: n.id, description: n.description, perTicker: n.per_ticker, instances, counts: c, state: instances ? dominantState(c) : 'disabled', ...placed.get(n.id)! };
    }),
    edges: edges.map(([from, to]) => ({ from, to })),
  };
}
