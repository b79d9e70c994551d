import type { HmmModel } from '../../../lib/market/regime/types.js';

/**
 * Emission written out directly, independent of the engine's log-space code:
 * prod_f N(x_f; mean, var)^w_f (w_f = 1 without weights).
 */
function emission(model: HmmModel, s: number, obs: Float64Array[], t: number): number {
  let p = 1;
  for (let f = 0; f < model.dims; f++) {
    const v = model.vars[s][f];
    const dens = Math.exp(-((obs[f][t] - model.means[s][f]) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    p *= dens ** (model.weights ? model.weights[f] : 1);
  }
  return p;
}

/** p(s_t | y_0..t) and log p(y_0..T) by summing the joint over every state path (tiny T only). */
export function bruteForceFilter(model: HmmModel, obs: Float64Array[], prior: number[] = model.init) {
  const T = obs[0].length;
  const k = model.k;
  const filtered: number[][] = [];
  let evidence = 0;
  for (let t = 0; t < T; t++) {
    const mass = new Array<number>(k).fill(0);
    for (let code = 0; code < k ** (t + 1); code++) {
      const path: number[] = [];
      for (let c = code, u = 0; u <= t; u++, c = Math.floor(c / k)) path.push(c % k);
      let p = prior[path[0]] * emission(model, path[0], obs, 0);
      for (let u = 1; u <= t; u++) p *= model.trans[path[u - 1]][path[u]] * emission(model, path[u], obs, u);
      mass[path[t]] += p;
    }
    const total = mass.reduce((a, b) => a + b, 0);
    filtered.push(mass.map((m) => m / total));
    evidence = total;
  }
  return { filtered, logLik: Math.log(evidence) };
}
