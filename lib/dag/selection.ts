import type { Project } from './project.js';
import { targetNodes } from './project.js';
import { selectInstances } from './plan.js';
import { UserError } from './errors.js';

/**
 * The instances a command works on, from a target (undefined: the whole DAG) and `--ticker`
 * values, checked so that no value selects nothing: an unknown ticker, a ticker with no
 * instance in the target, or a target whose nodes are all disabled is a usage error naming the
 * value and what was available, never an empty (and successful) command.
 */
export function selectChecked(project: Project, target: string | undefined, onlyTickers?: string[]): string[] {
  const { plan, dag } = project;
  const nodes = target === undefined ? [...dag.nodes.keys()] : targetNodes(project, target);
  const what = target === undefined ? 'the DAG' : `target '${target}'`;
  if (onlyTickers) {
    // the fan-out list, and what nodes with a `ticker_list` of their own range over (an
    // untraded benchmark, a reference series)
    const known = new Set(plan.tickers);
    for (const inst of plan.instances.values()) if (inst.ticker !== undefined) known.add(inst.ticker);
    const unknown = onlyTickers.filter((t) => !known.has(t));
    if (unknown.length) {
      const others = [...known].filter((t) => !plan.tickers.includes(t));
      throw new UserError(`--ticker ${unknown.join(', ')}: not in '${dag.spec.fanout}' (tickers: ${plan.tickers.join(', ') || 'none'})${others.length ? ` nor a ticker_list of a node (${others.join(', ')})` : ''}`);
    }
  }
  const ids = selectInstances(plan, nodes, onlyTickers);
  if (ids.length === 0 && !onlyTickers) {
    const disabled = nodes.filter((n) => ![...plan.instances.values()].some((i) => i.node.id === n));
    throw new UserError(`${what} selects no instance: ${disabled.length ? `node(s) ${disabled.join(', ')} disabled by their 'when' condition in this configuration` : 'it names no node'}`);
  }
  for (const t of onlyTickers ?? []) {
    if (ids.some((id) => plan.instances.get(id)!.ticker === t)) continue;
    const all = selectInstances(plan, nodes);
    const perTicker = [...new Set(all.map((id) => plan.instances.get(id)!.ticker).filter((x): x is string => x !== undefined))];
    throw new UserError(
      `--ticker ${t} selects no instance of ${what} (${perTicker.length ? `its per-ticker instances are for: ${perTicker.join(', ')}` : 'it has no per-ticker instances'})`,
    );
  }
  return ids;
}

/** The given instances and everything upstream of them within `ids`, in `ids` order. */
export function upstreamClosure(project: Project, ids: string[], seeds: string[]): string[] {
  const within = new Set(ids);
  const out = new Set<string>();
  const stack = [...seeds];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id) || !within.has(id)) continue;
    out.add(id);
    stack.push(...project.plan.instances.get(id)!.deps);
  }
  return ids.filter((id) => out.has(id));
}

/**
 * A target's instances (`all`) less those of the nodes it excludes and what only they need:
 * what a run of the target works on. `excluded` holds the excluded instances among `all`.
 */
export function withoutExcluded(project: Project, all: string[], nodes: string[], exclude: string[]): { kept: string[]; excluded: Set<string> } {
  const excluded = new Set(all.filter((id) => exclude.includes(project.plan.instances.get(id)!.node.id)));
  if (excluded.size === 0) return { kept: all, excluded };
  const seeds = all.filter((id) => nodes.includes(project.plan.instances.get(id)!.node.id));
  return { kept: upstreamClosure(project, all.filter((id) => !excluded.has(id)), seeds), excluded };
}
