import { mean, sampleCovariance, sampleStandardDeviation, sampleVariance } from 'simple-statistics';

/**
 * Performance metrics of a daily return series. Definitions and their differences from
 * quantstats / empyrical are in docs/metrics.md. Inputs are the strategy's daily returns without
 * the backtest's first row (which is the starting point, not a return). Undefined values
 * (too few observations, zero denominators) are NaN.
 */
export const TRADING_DAYS = 252;

const toArray = (x: ArrayLike<number>): number[] => Array.from(x);

/** prod(1 + r) - 1. */
export function totalReturn(r: ArrayLike<number>): number {
  let g = 1;
  for (let i = 0; i < r.length; i++) g *= 1 + r[i];
  return g - 1;
}

/** (1 + total)^(1 / years) - 1 with years = number of returns / 252 (quantstats >= 0.0.64). */
export function cagr(r: ArrayLike<number>): number {
  if (r.length === 0) return NaN;
  return Math.pow(1 + totalReturn(r), TRADING_DAYS / r.length) - 1;
}

/** Sample standard deviation (n - 1) * sqrt(252). */
export function annualVolatility(r: ArrayLike<number>): number {
  if (r.length < 2) return NaN;
  return sampleStandardDeviation(toArray(r)) * Math.sqrt(TRADING_DAYS);
}

function excess(r: ArrayLike<number>, riskFreeAnnual: number): number[] {
  const rf = riskFreeAnnual / TRADING_DAYS;
  return Array.from(r, (x) => x - rf);
}

/** mean(r - rf/252) / std(r - rf/252) * sqrt(252), sample std. */
export function sharpe(r: ArrayLike<number>, riskFreeAnnual = 0): number {
  if (r.length < 2) return NaN;
  const x = excess(r, riskFreeAnnual);
  const sd = sampleStandardDeviation(x);
  return sd === 0 ? NaN : (mean(x) / sd) * Math.sqrt(TRADING_DAYS);
}

/** mean(x) / sqrt(sum(min(x, 0)^2) / n) * sqrt(252) with x = r - rf/252 (quantstats). */
export function sortino(r: ArrayLike<number>, riskFreeAnnual = 0): number {
  if (r.length === 0) return NaN;
  const x = excess(r, riskFreeAnnual);
  let down = 0;
  for (const v of x) if (v < 0) down += v * v;
  const dd = Math.sqrt(down / x.length);
  return dd === 0 ? NaN : (mean(x) / dd) * Math.sqrt(TRADING_DAYS);
}

export interface DrawdownStats {
  /** Most negative wealth / running peak - 1 (0 when never under water). */
  max_drawdown: number;
  /** Longest run of consecutive days under water; an unrecovered drawdown counts to the end. */
  max_drawdown_duration: number;
}

/** Drawdowns of the wealth curve 1, (1+r1), (1+r1)(1+r2), ...: the start counts as a peak. */
export function drawdownStats(r: ArrayLike<number>): DrawdownStats {
  let wealth = 1;
  let peak = 1;
  let maxDd = 0;
  let run = 0;
  let longest = 0;
  for (let i = 0; i < r.length; i++) {
    wealth *= 1 + r[i];
    if (wealth >= peak) {
      peak = wealth;
      run = 0;
    } else {
      run++;
      if (run > longest) longest = run;
      const dd = wealth / peak - 1;
      if (dd < maxDd) maxDd = dd;
    }
  }
  return { max_drawdown: maxDd, max_drawdown_duration: longest };
}

/** CAGR / |max drawdown|. */
export function calmar(r: ArrayLike<number>): number {
  const { max_drawdown } = drawdownStats(r);
  return max_drawdown === 0 ? NaN : cagr(r) / Math.abs(max_drawdown);
}

/** Days with a positive return / days with a non-zero return (quantstats). */
export function winRate(r: ArrayLike<number>): number {
  let pos = 0;
  let nonZero = 0;
  for (let i = 0; i < r.length; i++) {
    if (r[i] !== 0) nonZero++;
    if (r[i] > 0) pos++;
  }
  return nonZero === 0 ? NaN : pos / nonZero;
}

export interface Greeks {
  beta: number;
  /** (mean(r) - beta * mean(b)) * 252. */
  alpha: number;
}

/** OLS beta and annualised alpha of r on b over the days where both are finite. */
export function betaAlpha(r: ArrayLike<number>, b: ArrayLike<number>): Greeks {
  if (r.length !== b.length) throw new Error(`betaAlpha: ${r.length} returns but ${b.length} benchmark returns`);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < r.length; i++) {
    if (Number.isFinite(r[i]) && Number.isFinite(b[i])) {
      y.push(r[i]);
      x.push(b[i]);
    }
  }
  if (x.length < 2) return { beta: NaN, alpha: NaN };
  const vb = sampleVariance(x);
  if (vb === 0) return { beta: NaN, alpha: NaN };
  const beta = sampleCovariance(y, x) / vb;
  return { beta, alpha: (mean(y) - beta * mean(x)) * TRADING_DAYS };
}

/** Arithmetic mean, NaN for an empty series. */
export function average(x: ArrayLike<number>): number {
  return x.length === 0 ? NaN : mean(toArray(x));
}
