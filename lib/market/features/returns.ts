/** Close-to-close returns. Each value uses only its two endpoint closes (a gap between them does not matter). */

/** `ret_{n}`: close[t] / close[t-n] - 1; NaN for the first n rows and where an endpoint is missing. */
export function simpleReturn(close: Float64Array, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`ret_${n}: horizon must be an integer >= 1`);
  const out = new Float64Array(close.length).fill(NaN);
  for (let t = n; t < close.length; t++) out[t] = close[t] / close[t - n] - 1;
  return out;
}

/** `log_ret_1`: log(close[t] / close[t-1]); NaN on row 0, where a close is missing or non-positive. */
export function logReturn(close: Float64Array): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  for (let t = 1; t < close.length; t++) {
    const r = close[t] / close[t - 1];
    out[t] = r > 0 ? Math.log(r) : NaN;
  }
  return out;
}
