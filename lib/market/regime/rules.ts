import { quantileSorted } from 'simple-statistics';
import { logReturns, rollingSampleStd } from './observations.js';
import { stateNames } from './order.js';

export interface RuleRegimeOptions {
  /** Simple moving average length of the close (e.g. 200). */
  sma: number;
  /** Realised volatility window in returns (e.g. 20). */
  vol_window: number;
  /** Quantile in (0, 1) of past volatility above which the market is 'bear' (e.g. 0.8). */
  vol_percentile: number;
  /** Number of past volatility values the quantile is taken over (e.g. 252). */
  percentile_window: number;
}

export interface RuleRegimeResult {
  /** ['bull', 'neutral', 'bear'], the same names and order as a k = 3 HMM. */
  names: string[];
  /** 0/1 probabilities per name; NaN during warm-up. */
  probs: Float64Array[];
  labels: string[];
}

/**
 * Rule-based regimes, a transparent alternative to the HMM with the same output columns. On row t:
 * - vol_t = sample std of the last vol_window daily log returns (up to and including t);
 * - threshold_t = the vol_percentile quantile (linear interpolation, numpy's default) of
 *   vol_{t-percentile_window} .. vol_{t-1}: past values only, so today's shock cannot raise its own bar;
 * - sma_t = mean of the last `sma` closes (up to and including t).
 * Label: 'bear' if vol_t > threshold_t (stress dominates trend); else 'bull' if close_t > sma_t;
 * else 'neutral'. Rows where any of these is undefined are NaN / ''.
 */
export function ruleRegimes(close: Float64Array, options: RuleRegimeOptions): RuleRegimeResult {
  const { sma, vol_window, vol_percentile, percentile_window } = options;
  if (!Number.isInteger(sma) || sma < 1) throw new Error(`ruleRegimes: sma must be a positive integer, got ${sma}`);
  if (!Number.isInteger(vol_window) || vol_window < 2) {
    throw new Error(`ruleRegimes: vol_window must be an integer >= 2, got ${vol_window}`);
  }
  if (!(vol_percentile > 0 && vol_percentile < 1)) {
    throw new Error(`ruleRegimes: vol_percentile must be in (0, 1), got ${vol_percentile}`);
  }
  if (!Number.isInteger(percentile_window) || percentile_window < 1) {
    throw new Error(`ruleRegimes: percentile_window must be a positive integer, got ${percentile_window}`);
  }
  const n = close.length;
  const names = stateNames(3);
  const [BULL, NEUTRAL, BEAR] = [0, 1, 2];
  const probs = names.map(() => new Float64Array(n).fill(NaN));
  const labels = new Array<string>(n).fill('');
  const vol = rollingSampleStd(logReturns(close), vol_window);
  const avg = rollingMean(close, sma);
  // Sorted finite values of vol[t - percentile_window .. t - 1] and how many are NaN, kept
  // incrementally so each row costs O(percentile_window) instead of a sort.
  const past: number[] = [];
  let missing = 0;
  for (let t = 0; t < n; t++) {
    if (t > percentile_window) missing = removeFromWindow(past, missing, vol[t - percentile_window - 1]);
    if (t > 0) missing = addToWindow(past, missing, vol[t - 1]);
    if (t < percentile_window || missing > 0) continue;
    if (!Number.isFinite(vol[t]) || !Number.isFinite(avg[t]) || !Number.isFinite(close[t])) continue;
    const threshold = quantileSorted(past, vol_percentile);
    const s = vol[t] > threshold ? BEAR : close[t] > avg[t] ? BULL : NEUTRAL;
    for (let j = 0; j < 3; j++) probs[j][t] = j === s ? 1 : 0;
    labels[t] = names[s];
  }
  return { names, probs, labels };
}

/** Trailing mean over w values, NaN unless all w are finite (running sum, one pass). */
function rollingMean(x: Float64Array, w: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  let sum = 0;
  let finite = 0;
  for (let t = 0; t < x.length; t++) {
    if (Number.isFinite(x[t])) {
      sum += x[t];
      finite++;
    }
    if (t >= w && Number.isFinite(x[t - w])) {
      sum -= x[t - w];
      finite--;
    }
    if (finite === 0) sum = 0;
    if (t >= w - 1 && finite === w) out[t] = sum / w;
  }
  return out;
}

/** Inserts a finite v into ascending `sorted`, or counts it as missing; returns the new missing count. */
function addToWindow(sorted: number[], missing: number, v: number): number {
  if (!Number.isFinite(v)) return missing + 1;
  sorted.splice(lowerBound(sorted, v), 0, v);
  return missing;
}

/** Removes one copy of v (added before by addToWindow); returns the new missing count. */
function removeFromWindow(sorted: number[], missing: number, v: number): number {
  if (!Number.isFinite(v)) return missing - 1;
  sorted.splice(lowerBound(sorted, v), 1);
  return missing;
}

function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
