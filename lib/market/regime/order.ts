import type { HmmModel } from './types.js';

/** Names by rank of mean daily return: the same names the rule-based regimes use for k = 3. */
export function stateNames(k: number): string[] {
  if (k === 3) return ['bull', 'neutral', 'bear'];
  if (k === 2) return ['bull', 'bear'];
  return Array.from({ length: k }, (_, s) => `s${s}`);
}

/** What decides state order: see orderStates. */
export type StateOrder = 'return' | 'volatility';

/**
 * Relabels states. EM's state numbering is arbitrary; a fixed order is what lets a refit keep the
 * names of the model before it.
 * - 'return' (default): highest mean of the first feature (the daily log return) first, ties by
 *   lower variance of that feature.
 * - 'volatility': lowest variance of the first feature first, ties by higher mean return. Mean
 *   daily returns of the calm-but-falling and the stressed states are often within noise of each
 *   other, so on real data 'return' can swap their names between refits; volatility is
 *   estimated far more precisely.
 * Remaining ties go by the original index.
 */
export function orderStates(model: HmmModel, by: StateOrder = 'return'): HmmModel {
  const byReturn = (a: number, b: number) => model.means[b][0] - model.means[a][0];
  const byVol = (a: number, b: number) => model.vars[a][0] - model.vars[b][0];
  const [first, second] = by === 'return' ? [byReturn, byVol] : [byVol, byReturn];
  const perm = Array.from({ length: model.k }, (_, s) => s).sort(
    (a, b) => first(a, b) || second(a, b) || a - b,
  );
  return {
    k: model.k,
    dims: model.dims,
    means: perm.map((s) => model.means[s].slice()),
    vars: perm.map((s) => model.vars[s].slice()),
    trans: perm.map((i) => perm.map((j) => model.trans[i][j])),
    init: perm.map((s) => model.init[s]),
    logLik: model.logLik,
    iterations: model.iterations,
    labels: stateNames(model.k),
    ...(model.weights ? { weights: model.weights.slice() } : {}),
  };
}
