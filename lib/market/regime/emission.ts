/** Diagonal-Gaussian emission log-densities, the only place the density formula lives. */

const LOG_2PI = Math.log(2 * Math.PI);

/** Per-state constant -0.5 * sum_f log(2 pi var[s][f]). */
export function logNormConsts(vars: readonly (readonly number[])[]): Float64Array {
  const out = new Float64Array(vars.length);
  for (let s = 0; s < vars.length; s++) {
    let c = 0;
    for (const v of vars[s]) c -= 0.5 * (LOG_2PI + Math.log(v));
    out[s] = c;
  }
  return out;
}

/**
 * log N(x_t | means[s], diag(vars[s])) for every state s, written into out[0..k).
 * `cols` are per-feature columns and t the row to read.
 */
export function rowLogDensities(
  cols: readonly Float64Array[],
  t: number,
  means: readonly (readonly number[])[],
  vars: readonly (readonly number[])[],
  consts: Float64Array,
  out: Float64Array,
): void {
  for (let s = 0; s < means.length; s++) {
    const m = means[s];
    const v = vars[s];
    let acc = consts[s];
    for (let f = 0; f < cols.length; f++) {
      const z = cols[f][t] - m[f];
      acc -= (z * z) / (2 * v[f]);
    }
    out[s] = acc;
  }
}
