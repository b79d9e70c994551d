import type { LoadedDag, NodeDecl } from './spec.js';
import { UserError } from './errors.js';
import { expandConfigKeys, fillTemplate, getKey, hasTickerPlaceholder } from './template.js';
import { instanceId } from './instanceId.js';
import { instanceOrder } from './instanceOrder.js';
import { fanItems, type Deriver, type FanItem } from './fanout.js';

export interface InputRef {
  path: string;
  /** Instance that produces the file, when a node does. */
  producer?: string;
  node?: string;
  ticker?: string;
}

export interface Instance {
  id: string;
  node: NodeDecl;
  ticker?: string;
  /** The element of a list fan-out this instance is for. */
  item?: FanItem;
  inputs: InputRef[];
  outputs: string[];
  /** Output paths with the ticker each belongs to (for single nodes that write per-ticker files). */
  outputTickers: (string | undefined)[];
  deps: string[];
}

export interface Plan {
  tickers: string[];
  instances: Map<string, Instance>;
  /** Instance ids in a topological order (stable: declaration order, then ticker order). */
  order: string[];
}

export function fanoutList(dag: LoadedDag, config: unknown): string[] {
  return tickerList(config, dag.spec.fanout, "the DAG's fan-out list");
}

function tickerList(config: unknown, key: string, what: string): string[] {
  const list = getKey(config, key);
  if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) {
    throw new UserError(`config key '${key}' (${what}) must be a list of strings`);
  }
  return list as string[];
}

export function isEnabled(node: NodeDecl, config: unknown): boolean {
  return Object.entries(node.when ?? {}).every(([k, v]) => getKey(config, k) === v);
}

/**
 * Expand nodes into task instances (one per ticker for per-ticker nodes, one per element for a
 * list fan-out, else one), wire their dependencies, order them.
 */
export function buildPlan(dag: LoadedDag, config: unknown, derivers: Map<string, Deriver> = new Map()): Plan {
  const tickers = fanoutList(dag, config);
  const enabled = dag.spec.nodes.filter((n) => isEnabled(n, config));
  // the list `{ticker}` ranges over, per node: its own `ticker_list`, else the DAG's
  const listOf = new Map(enabled.map((n) => [n.id, n.ticker_list ? tickerList(config, n.ticker_list, `node '${n.id}' ticker_list`) : tickers]));
  const enabledIds = new Set(enabled.map((n) => n.id));
  const instances = new Map<string, Instance>();
  const producerOf = new Map<string, string>();
  const byNode = new Map<string, string[]>();

  for (const node of enabled) {
    const where = `${dag.file}: node '${node.id}'`;
    const ids: string[] = [];
    const list = listOf.get(node.id)!;
    const slots: { ticker?: string; item?: FanItem }[] = node.per_ticker
      ? list.map((ticker) => ({ ticker }))
      : node.fanout ? fanItems(node, config, derivers, where).map((item) => ({ item })) : [{}];
    for (const { ticker, item } of slots) {
      const id = instanceId(node.id, ticker ?? item?.key);
      const outputs: string[] = [];
      const outputTickers: (string | undefined)[] = [];
      for (const declared of node.outputs) {
        const tpl = expandConfigKeys(declared, config, where);
        for (const t of !node.per_ticker && hasTickerPlaceholder(tpl) ? list : [ticker]) {
          const path = fillTemplate(tpl, config, t, where, item?.key);
          const other = producerOf.get(path);
          if (other) throw new UserError(`${where}: output '${path}' is also written by '${other}'`);
          producerOf.set(path, id);
          outputs.push(path);
          outputTickers.push(t);
        }
      }
      instances.set(id, { id, node, ticker, item, inputs: [], outputs, outputTickers, deps: [] });
      ids.push(id);
    }
    byNode.set(node.id, ids);
  }

  for (const inst of instances.values()) {
    const node = inst.node;
    const where = `${dag.file}: node '${node.id}'`;
    const refs: InputRef[] = [];
    for (const input of node.inputs) {
      if (typeof input === 'string') {
        const tpl = expandConfigKeys(input, config, where);
        for (const t of !node.per_ticker && hasTickerPlaceholder(tpl) ? listOf.get(node.id)! : [inst.ticker]) {
          const path = fillTemplate(tpl, config, t, where, inst.item?.key);
          refs.push({ path, producer: producerOf.get(path), ticker: t });
        }
        continue;
      }
      if (!enabledIds.has(input.node)) {
        throw new UserError(`${where}: input node '${input.node}' is disabled by its 'when' condition`);
      }
      const up = dag.nodes.get(input.node)!;
      let upstream: string[];
      if (!up.per_ticker) upstream = byNode.get(up.id)!;
      else {
        const mode = input.ticker ?? (node.per_ticker ? 'same' : 'all');
        if (mode === 'all') upstream = byNode.get(up.id)!;
        else {
          const t = mode === 'same' ? inst.ticker : fillTemplate(mode, config, inst.ticker, where);
          if (t === undefined) throw new UserError(`${where}: input '${up.id}' with ticker 'same' needs a per-ticker node`);
          if (!listOf.get(up.id)!.includes(t)) {
            throw new UserError(`${where}: input '${up.id}' asks for ticker '${t}', which is not in '${up.ticker_list ?? dag.spec.fanout}'`);
          }
          upstream = [instanceId(up.id, t)];
        }
      }
      for (const uid of upstream) {
        const u = instances.get(uid)!;
        u.outputs.forEach((path, i) => refs.push({ path, producer: uid, node: up.id, ticker: u.outputTickers[i] ?? u.ticker }));
      }
    }
    // one entry per path; order kept
    const seen = new Set<string>();
    inst.inputs = refs.filter((r) => (seen.has(r.path) ? false : (seen.add(r.path), true)));
    inst.deps = [...new Set(inst.inputs.map((r) => r.producer).filter((p): p is string => p !== undefined && p !== inst.id))];
  }

  const order = instanceOrder(instances.keys(), (id) => instances.get(id)!.deps);
  if (!order) throw new UserError(`${dag.file}: the expanded task graph has a cycle (an input file is produced downstream of its reader)`);
  return { tickers, instances, order };
}

/**
 * Instances needed for the given nodes: their instances and everything upstream. With
 * `onlyTickers`, per-ticker instances of other tickers are left out, and so is any instance
 * that would need one of them (a portfolio-level node over all tickers, say); upstream
 * instances of other tickers that a selected one needs (the benchmark) stay in.
 */
export function selectInstances(plan: Plan, nodeIds: string[], onlyTickers?: string[]): string[] {
  const closure = (seeds: string[]): Set<string> => {
    const out = new Set<string>();
    const stack = [...seeds];
    while (stack.length) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      for (const dep of plan.instances.get(id)!.deps) stack.push(dep);
    }
    return out;
  };
  const targets = [...plan.instances.values()].filter((i) => nodeIds.includes(i.node.id));
  const full = closure(targets.map((i) => i.id));
  if (!onlyTickers) return plan.order.filter((id) => full.has(id));
  const allowed = closure([...full].filter((id) => {
    const t = plan.instances.get(id)!.ticker;
    return t !== undefined && onlyTickers.includes(t);
  }));
  const memo = new Map<string, boolean>();
  const fits = (id: string): boolean => {
    if (allowed.has(id)) return true;
    if (!memo.has(id)) {
      const inst = plan.instances.get(id)!;
      memo.set(id, inst.ticker === undefined && inst.deps.every(fits));
    }
    return memo.get(id)!;
  };
  const wanted = new Set([...full].filter(fits));
  return plan.order.filter((id) => wanted.has(id));
}
