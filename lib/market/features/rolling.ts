/**
 * Trailing-window mean and sample standard deviation, O(n) per series for a given window.
 *
 * Restart stability (the incremental mode recomputes a suffix and must reproduce stored rows bit
 * for bit): every value at row t is a pure function of x[t-n+1..t], never of where the pass began.
 * - The mean is the correctly rounded exact window sum / n: the running state is an exact sum
 *   (exact-sum.ts), so it carries no rounding history.
 * - The std of a short window (n <= DIRECT_MAX) is a two-pass loop over the window itself, in a
 *   fixed order, shifted by the window's first value (so a flat window gives exactly 0): O(n*w),
 *   but at w <= 128 that is faster than exact arithmetic. Longer windows use the correctly
 *   rounded exact n*Σx² - (Σx)², O(1) amortised per row and free of cancellation.
 * A window holding a missing value (NaN or ±Infinity) yields NaN; warm-up rows (t < n-1) are NaN.
 */
import { createExactSum, exactAdd, exactAddProduct, exactRound } from './exact-sum.js';

/** Longest window whose std is summed directly; above it the exact running sums are cheaper. */
export const DIRECT_MAX = 128;

function checkWindow(n: number, min: number, what: string): void {
  if (!Number.isInteger(n) || n < min) throw new Error(`${what}: window must be an integer >= ${min}, got ${n}`);
}

/** missing[t] = 1 when the n-row window ending at t is incomplete (warm-up or a non-finite value). */
function incompleteWindows(x: Float64Array, n: number): Uint8Array {
  const out = new Uint8Array(x.length).fill(1);
  let missing = 0;
  for (let t = 0; t < x.length; t++) {
    if (!Number.isFinite(x[t])) missing++;
    if (t >= n && !Number.isFinite(x[t - n])) missing--;
    if (t >= n - 1 && missing === 0) out[t] = 0;
  }
  return out;
}

/** Trailing mean over n rows including t: correctly rounded window sum / n. */
export function rollingMean(x: Float64Array, n: number): Float64Array {
  checkWindow(n, 1, 'rollingMean');
  const out = new Float64Array(x.length).fill(NaN);
  const s = createExactSum();
  let missing = 0;
  for (let t = 0; t < x.length; t++) {
    const v = x[t];
    if (Number.isFinite(v)) exactAdd(s, v);
    else missing++;
    if (t >= n) {
      const o = x[t - n];
      if (Number.isFinite(o)) exactAdd(s, -o);
      else missing--;
    }
    if (t >= n - 1 && missing === 0) out[t] = exactRound(s) / n;
  }
  return out;
}

/** Trailing sample (n-1) standard deviation over n >= 2 rows including t. */
export function rollingStd(x: Float64Array, n: number): Float64Array {
  checkWindow(n, 2, 'rollingStd');
  return n <= DIRECT_MAX ? directStd(x, n) : exactStd(x, n);
}

/** Trailing mean and sample standard deviation of the same window. */
export function rollingMeanStd(x: Float64Array, n: number): { mean: Float64Array; std: Float64Array } {
  return { mean: rollingMean(x, n), std: rollingStd(x, n) };
}

function directStd(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  const incomplete = incompleteWindows(x, n);
  for (let t = n - 1; t < x.length; t++) {
    if (incomplete[t]) continue;
    const start = t - n + 1;
    const k = x[start];
    let s = 0;
    for (let i = start; i <= t; i++) s += x[i] - k;
    const mu = k + s / n;
    let q = 0;
    for (let i = start; i <= t; i++) {
      const d = x[i] - mu;
      q += d * d;
    }
    out[t] = Math.sqrt(q / (n - 1));
  }
  return out;
}

function exactStd(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  const s1 = createExactSum();
  const s2 = createExactSum();
  const num = createExactSum();
  const denom = n * (n - 1);
  let missing = 0;
  for (let t = 0; t < x.length; t++) {
    const v = x[t];
    if (Number.isFinite(v)) {
      exactAdd(s1, v);
      exactAddProduct(s2, v, v);
    } else missing++;
    if (t >= n) {
      const o = x[t - n];
      if (Number.isFinite(o)) {
        exactAdd(s1, -o);
        exactAddProduct(s2, -o, o);
      } else missing--;
    }
    if (t < n - 1 || missing !== 0) continue;
    // n*S2 - S1^2 exactly (>= 0): n times each part of S2, minus the pairwise products of S1's parts.
    num.length = 0;
    for (let i = 0; i < s2.length; i++) exactAddProduct(num, n, s2.parts[i]);
    for (let i = 0; i < s1.length; i++) {
      const a = s1.parts[i];
      exactAddProduct(num, -a, a);
      for (let j = i + 1; j < s1.length; j++) exactAddProduct(num, -2 * a, s1.parts[j]);
    }
    out[t] = Math.sqrt(exactRound(num) / denom);
  }
  return out;
}
