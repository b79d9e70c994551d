import { logNormConsts, rowLogDensities } from './emission.js';
import { checkObs, isValidRow } from './rows.js';
import type { FilterResult, HmmModel } from './types.js';

/**
 * Forward algorithm (FILTERED, never smoothed): probs[s][t] = p(state_t = s | obs rows <= t).
 * Each row is one self-contained step from the previous posterior, so filtering [0, T) equals
 * filtering [0, m) and then [m, T) from the returned `state`, bit for bit; the daily update relies
 * on that. Without `fromState` the first processed row uses `model.init` as its prior. Rows with a
 * NaN feature get NaN probabilities and leave the state untouched (no transition is applied).
 * The step is done in log space so a row far out in every state's tail cannot underflow to 0/0.
 */
export function filterProbs(
  model: HmmModel,
  obs: readonly Float64Array[],
  fromState?: ArrayLike<number> | null,
): FilterResult {
  const T = checkObs(obs, 'filterProbs');
  const { k } = model;
  if (obs.length !== model.dims) {
    throw new Error(`filterProbs: model has ${model.dims} features, obs has ${obs.length}`);
  }
  if (fromState != null && fromState.length !== k) {
    throw new Error(`filterProbs: fromState has ${fromState.length} entries, model has k=${k}`);
  }
  const probs = Array.from({ length: k }, () => new Float64Array(T).fill(NaN));
  const consts = logNormConsts(model.vars, model.weights);
  const logb = new Float64Array(k);
  const l = new Float64Array(k);
  let state: Float64Array | null = fromState == null ? null : Float64Array.from(fromState);
  let logLik = 0;
  for (let t = 0; t < T; t++) {
    if (!isValidRow(obs, t)) continue;
    rowLogDensities(obs, t, model.means, model.vars, consts, logb, model.weights);
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      let prior: number;
      if (state === null) prior = model.init[j];
      else {
        prior = 0;
        for (let i = 0; i < k; i++) prior += state[i] * model.trans[i][j];
      }
      l[j] = Math.log(prior) + logb[j];
      if (l[j] > max) max = l[j];
    }
    let c = 0;
    for (let j = 0; j < k; j++) {
      l[j] = Math.exp(l[j] - max);
      c += l[j];
    }
    const next = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      next[j] = l[j] / c;
      probs[j][t] = next[j];
    }
    state = next;
    logLik += max + Math.log(c);
  }
  return { probs, state: state === null ? null : Array.from(state), logLik };
}
