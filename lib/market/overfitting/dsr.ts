import { moments, periodSharpe } from './moments.js';
import { normalCdf, normalQuantile } from './normal.js';

/** Euler-Mascheroni constant (expected maximum of N normals, Bailey and López de Prado 2014). */
const EULER_GAMMA = 0.5772156649015329;

export interface DeflatedSharpe {
  /** Probability that the best trial's true Sharpe is above zero, given the selection. */
  dsr: number;
  /** Per-period Sharpe of the best trial. */
  sharpe: number;
  /** Expected maximum per-period Sharpe of `trials` trials with no skill (the deflated benchmark). */
  sharpe0: number;
  /** Variance of the trials' per-period Sharpe ratios. */
  varSharpe: number;
  trials: number;
  /** Number of returns of the best trial. */
  t: number;
  skew: number;
  kurt: number;
}

/**
 * Benchmark Sharpe SR0 = sqrt(V) * ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))): the maximum
 * per-period Sharpe expected among N skill-less trials whose Sharpe ratios vary with variance V.
 */
export function expectedMaxSharpe(varSharpe: number, trials: number): number {
  if (trials < 2) throw new RangeError(`expectedMaxSharpe: needs at least 2 trials, got ${trials}`);
  return Math.sqrt(varSharpe) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

/**
 * DSR = Φ((SR - SR0) sqrt(T - 1) / sqrt(1 - γ3 SR + (γ4 - 1)/4 SR²)) from the summary numbers
 * (per-period Sharpe, benchmark, number of returns, skewness and non-excess kurtosis).
 */
export function deflatedSharpeFrom(sharpe: number, sharpe0: number, t: number, skew: number, kurt: number): number {
  const denom = 1 - skew * sharpe + ((kurt - 1) / 4) * sharpe * sharpe;
  if (!(denom > 0)) throw new RangeError(`deflatedSharpe: 1 - skew*SR + (kurt-1)/4*SR^2 = ${denom} is not positive`);
  return normalCdf(((sharpe - sharpe0) * Math.sqrt(t - 1)) / Math.sqrt(denom));
}

/**
 * Deflated Sharpe Ratio of the trial with the highest per-period Sharpe among `returns` (one
 * series per trial, e.g. daily returns of each sweep variant).
 */
export function deflatedSharpe(returns: ArrayLike<number>[]): DeflatedSharpe & { best: number } {
  if (returns.length < 2) throw new RangeError(`deflatedSharpe: needs at least 2 trials, got ${returns.length}`);
  const stats = returns.map((r) => moments(r));
  const sharpes = stats.map((m) => periodSharpe(m.mean, m.std));
  let best = 0;
  for (let i = 1; i < sharpes.length; i++) if (sharpes[i] > sharpes[best]) best = i;
  const mean = sharpes.reduce((a, b) => a + b, 0) / sharpes.length;
  const varSharpe = sharpes.reduce((a, s) => a + (s - mean) ** 2, 0) / (sharpes.length - 1);
  const sharpe0 = expectedMaxSharpe(varSharpe, sharpes.length);
  const m = stats[best];
  return { best, dsr: deflatedSharpeFrom(sharpes[best], sharpe0, m.n, m.skew, m.kurt), sharpe: sharpes[best], sharpe0, varSharpe, trials: sharpes.length, t: m.n, skew: m.skew, kurt: m.kurt };
}
