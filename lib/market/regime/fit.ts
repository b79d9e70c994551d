import { baumWelch } from './em.js';
import { initialParams, varianceFloors, type HmmParams } from './init.js';
import { orderStates } from './order.js';
import { checkObs, gatherRows, validRowIndices } from './rows.js';
import type { HmmFitOptions, HmmModel } from './types.js';

const DEFAULT_VAR_FLOOR = 1e-3;

/**
 * Fits a diagonal-covariance Gaussian HMM by Baum-Welch from `restarts` deterministic starts
 * (see initialParams) plus any `starts` given, and keeps the best log-likelihood, the earliest restart on ties. Rows with a
 * NaN feature (warm-up) are dropped and the remaining rows treated as consecutive days. The
 * result is in the stable state order of orderStates, so equal data and seed give equal JSON.
 */
export function fitHmm(obs: readonly Float64Array[], options: HmmFitOptions): HmmModel {
  checkObs(obs, 'fitHmm');
  const { k, seed, restarts, tol, maxIter } = options;
  if (!Number.isInteger(k) || k < 1) throw new Error(`fitHmm: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new Error(`fitHmm: restarts must be a positive integer, got ${restarts}`);
  }
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new Error(`fitHmm: maxIter must be a positive integer, got ${maxIter}`);
  }
  if (!(tol >= 0)) throw new Error(`fitHmm: tol must be >= 0, got ${tol}`);
  const rows = validRowIndices(obs);
  if (rows.length < 2 * k) {
    throw new Error(`fitHmm: ${rows.length} rows without NaN, need at least ${2 * k} for k=${k}`);
  }
  const cols = gatherRows(obs, rows);
  const floors = varianceFloors(cols, options.varFloor ?? DEFAULT_VAR_FLOOR);
  const weights = options.weights ? checkedWeights(options.weights, obs.length) : undefined;
  const extra = (options.starts ?? []).map((start, i) => checkedStart(start, k, obs.length, floors, i));
  let best: HmmModel | null = null;
  for (let r = 0; r < restarts + extra.length; r++) {
    const start = r < restarts ? initialParams(cols, k, seed, r, floors) : extra[r - restarts];
    const em = baumWelch(cols, start, { tol, maxIter, floors, weights });
    if (best === null || em.logLik > best.logLik || (Number.isNaN(best.logLik) && !Number.isNaN(em.logLik))) {
      best = { k, dims: obs.length, ...em.params, logLik: em.logLik, iterations: em.iterations, labels: [] };
      if (weights) best.weights = weights;
    }
  }
  return orderStates(best as HmmModel, options.order ?? 'return');
}

function checkedWeights(weights: readonly number[], d: number): number[] {
  if (weights.length !== d || !weights.every((x) => Number.isFinite(x) && x > 0)) {
    throw new Error(`fitHmm: weights must be ${d} positive numbers, got ${JSON.stringify(weights)}`);
  }
  return weights.slice();
}

/** Copies a caller-supplied start, checking its shape and raising its variances to the floors. */
function checkedStart(start: NonNullable<HmmFitOptions['starts']>[number], k: number, d: number, floors: number[], i: number): HmmParams {
  const ok =
    start.init.length === k &&
    start.means.length === k &&
    start.vars.length === k &&
    start.trans.length === k &&
    start.means.every((m) => m.length === d) &&
    start.vars.every((v) => v.length === d) &&
    start.trans.every((row) => row.length === k);
  if (!ok) throw new Error(`fitHmm: starts[${i}] does not have shape k=${k}, dims=${d}`);
  return {
    means: start.means.map((m) => m.slice()),
    vars: start.vars.map((v) => v.map((x, f) => Math.max(x, floors[f]))),
    trans: start.trans.map((row) => row.slice()),
    init: start.init.slice(),
  };
}
