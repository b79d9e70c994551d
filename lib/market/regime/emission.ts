/** Diagonal-Gaussian emission log-densities, the only place the density formula lives. */

const LOG_2PI = Math.log(2 * Math.PI);

/** Per-state constant -0.5 * sum_f weight[f] * log(2 pi var[s][f]) (weights default to 1). */
export function logNormConsts(vars: readonly (readonly number[])[], weights?: readonly number[]): Float64Array {
  const out = new Float64Array(vars.length);
  for (let s = 0; s < vars.length; s++) {
    let c = 0;
    vars[s].forEach((v, f) => (c -= 0.5 * (weights ? weights[f] : 1) * (LOG_2PI + Math.log(v))));
    out[s] = c;
  }
  return out;
}

/**
 * sum_f weight[f] * log N(x_tf | means[s][f], vars[s][f]) for every state s, written into
 * out[0..k) (with unit weights: the diagonal-Gaussian log-density). `cols` are per-feature
 * columns, t the row to read, `consts` from logNormConsts with the same weights.
 */
export function rowLogDensities(
  cols: readonly Float64Array[],
  t: number,
  means: readonly (readonly number[])[],
  vars: readonly (readonly number[])[],
  consts: Float64Array,
  out: Float64Array,
  weights?: readonly number[],
): void {
  for (let s = 0; s < means.length; s++) {
    const m = means[s];
    const v = vars[s];
    let acc = consts[s];
    for (let f = 0; f < cols.length; f++) {
      const z = cols[f][t] - m[f];
      acc -= ((weights ? weights[f] : 1) * (z * z)) / (2 * v[f]);
    }
    out[s] = acc;
  }
}
