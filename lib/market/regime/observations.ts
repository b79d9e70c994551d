/**
 * HMM observations from a close series: feature 0 is the daily log return, feature 1 the log of
 * the trailing realised volatility (sample standard deviation of the last `vol_window` log
 * returns, including today's). The log makes volatility roughly Gaussian, as the HMM assumes.
 * Rows without a full window (warm-up, or a missing close inside the window) are NaN, and so is
 * a zero volatility, whose log would be -Infinity.
 */
export function regimeObservations(close: Float64Array, options: { vol_window: number }): Float64Array[] {
  const w = options.vol_window;
  if (!Number.isInteger(w) || w < 2) {
    throw new Error(`regimeObservations: vol_window must be an integer >= 2, got ${w}`);
  }
  const ret = logReturns(close);
  const vol = rollingSampleStd(ret, w);
  // A zero volatility (flat prices) has no finite log, so it counts as missing.
  const logVol = vol.map((v) => (v > 0 ? Math.log(v) : NaN));
  return [ret, logVol];
}

/**
 * Emission weights for regimeObservations' features (see HmmFitOptions.weights): the daily return
 * counts once, the trailing realised volatility 1/vol_window, since consecutive windows share all
 * but one return. Fully weighted, its slow drifts inside a regime dominate the likelihood and EM
 * splits the calm regime by volatility level instead of finding the stressed one: on the sample
 * market (seed 42, 2011-2024, walk-forward) the filtered regime matches the hidden one on 57% of
 * days at weight 1 and 81% at 1/20.
 */
export function regimeObservationWeights(options: { vol_window: number }): number[] {
  return [1, 1 / options.vol_window];
}

/** Daily log returns of a close series; NaN on the first row and around missing closes. */
export function logReturns(close: Float64Array): Float64Array {
  const n = close.length;
  const ret = new Float64Array(n).fill(NaN);
  for (let t = 1; t < n; t++) {
    const a = close[t - 1];
    const b = close[t];
    if (a > 0 && b > 0) ret[t] = Math.log(b / a);
  }
  return ret;
}

/**
 * Trailing sample std over the w values ending at each row, NaN unless all w are finite.
 * One pass with running sums of r and r^2 (Welford cannot remove a value); returns are centred
 * near 0 relative to their spread, so the sum-of-squares form loses no meaningful precision.
 */
export function rollingSampleStd(ret: Float64Array, w: number): Float64Array {
  const n = ret.length;
  const out = new Float64Array(n).fill(NaN);
  let sum = 0;
  let sumSq = 0;
  let finite = 0;
  for (let t = 0; t < n; t++) {
    const x = ret[t];
    if (Number.isFinite(x)) {
      sum += x;
      sumSq += x * x;
      finite++;
    }
    if (t >= w) {
      const y = ret[t - w];
      if (Number.isFinite(y)) {
        sum -= y;
        sumSq -= y * y;
        finite--;
      }
    }
    if (finite === 0) {
      // Restart from exact zeros so rounding left by removed values cannot accumulate.
      sum = 0;
      sumSq = 0;
    }
    if (t >= w - 1 && finite === w) {
      const v = Math.max(0, (sumSq - (sum * sum) / w) / (w - 1));
      out[t] = Math.sqrt(v);
    }
  }
  return out;
}
