/**
 * Volatility-targeted sizing: a full-conviction signal (|alpha| = 1) on an instrument whose
 * realized vol equals target_vol gets weight 1 before clamping.
 *   weight(t) = clamp(alpha(t) * target_vol / max(realized_vol(t), min_vol), -max_weight, max_weight)
 * A NaN alpha or a NaN vol gives weight 0 (no position without an opinion and a risk estimate);
 * the min_vol floor keeps zero and tiny vols from producing Infinity.
 */
export interface SizingOptions {
  /** Annualised volatility each position is scaled to (e.g. 0.15). */
  target_vol: number;
  /** Largest absolute weight of one ticker (e.g. 0.10). */
  max_weight: number;
  /** Floor applied to realized vol before dividing (annualised, > 0). */
  min_vol: number;
}

function checkSizingOptions({ target_vol, max_weight, min_vol }: SizingOptions): void {
  if (!(Number.isFinite(target_vol) && target_vol >= 0)) throw new Error(`targetWeights: target_vol must be a finite number >= 0, got ${target_vol}`);
  if (!(Number.isFinite(max_weight) && max_weight >= 0)) throw new Error(`targetWeights: max_weight must be a finite number >= 0, got ${max_weight}`);
  if (!(Number.isFinite(min_vol) && min_vol > 0)) throw new Error(`targetWeights: min_vol must be a finite number > 0, got ${min_vol}`);
}

/** Target portfolio weight per date from alpha_score and realized vol (same length). */
export function targetWeights(alpha: Float64Array, realizedVol: Float64Array, options: SizingOptions): Float64Array {
  checkSizingOptions(options);
  if (alpha.length !== realizedVol.length) {
    throw new Error(`targetWeights: alpha has ${alpha.length} rows but realizedVol has ${realizedVol.length}`);
  }
  const { target_vol, max_weight, min_vol } = options;
  const out = new Float64Array(alpha.length);
  for (let t = 0; t < alpha.length; t++) {
    const a = alpha[t];
    const v = realizedVol[t];
    if (Number.isNaN(a) || Number.isNaN(v)) continue; // weight 0
    const w = (a * target_vol) / Math.max(v, min_vol);
    out[t] = Math.min(max_weight, Math.max(-max_weight, w));
  }
  return out;
}

/** Dollar position implied by a weight series on a fixed capital base. */
export function targetDollar(weights: Float64Array, initialCapital: number): Float64Array {
  if (!Number.isFinite(initialCapital)) throw new Error(`targetDollar: initialCapital must be finite, got ${initialCapital}`);
  const out = new Float64Array(weights.length);
  for (let t = 0; t < weights.length; t++) out[t] = weights[t] * initialCapital;
  return out;
}
