/** Trend features on the adjusted close: moving averages and the close's distance from them. */
import { rollingMeanStd } from './rolling.js';

export interface TrendColumns {
  /** `sma_{n}`: mean of the n closes ending at t. */
  sma: Float64Array;
  /** `close_sma_{n}`: close / sma_n - 1. */
  closeSma: Float64Array;
  /**
   * `close_z_{n}`: (close - sma_n) / sample std of the same n closes. Added for the mean-reversion
   * signal: a Bollinger-style z-score is scale-free across tickers and regimes, unlike close_sma.
   */
  closeZ: Float64Array;
}

export function trendFeatures(close: Float64Array, n: number): TrendColumns {
  const { mean, std } = rollingMeanStd(close, n);
  const closeSma = new Float64Array(close.length);
  const closeZ = new Float64Array(close.length);
  for (let t = 0; t < close.length; t++) {
    closeSma[t] = close[t] / mean[t] - 1;
    // A flat window has no spread: the z-score is undefined, not infinite.
    closeZ[t] = std[t] > 0 ? (close[t] - mean[t]) / std[t] : NaN;
  }
  return { sma: mean, closeSma, closeZ };
}
