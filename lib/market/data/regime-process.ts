import type { Rng } from '../../core/rng.js';

/**
 * The hidden market-state process behind the sample benchmark: a persistent 3-state Markov chain,
 * GARCH(1,1)-like volatility clustering around each state's level, Student-t shocks.
 * The levels are far enough apart (drift and volatility) that a Gaussian HMM on log return and
 * 20-day realised volatility, initialised from volatility levels, recovers >= 70% of days on the
 * seeds tested (a quantile initialisation can converge to "bull split in two" instead).
 */
export const REGIME_NAMES = ['bull', 'bear', 'highvol'] as const;
export type RegimeName = (typeof REGIME_NAMES)[number];

/** Mean daily log return per state. */
export const REGIME_DRIFT = [0.0008, -0.001, 0.0] as const;
/** Unconditional daily volatility per state. */
export const REGIME_VOL = [0.007, 0.015, 0.032] as const;
/** Row = today's state, column = tomorrow's. Expected durations 1/(1-p_ii): 143, 67, 50 days. */
export const REGIME_TRANSITION: readonly (readonly number[])[] = [
  [0.993, 0.005, 0.002],
  [0.009, 0.985, 0.006],
  [0.008, 0.012, 0.98],
];

const GARCH_ALPHA = 0.03;
const GARCH_BETA = 0.9;
/** Caps the variance multiplier (at sqrt(3) x the state's volatility) so clustering never blurs the states. */
const GARCH_MAX_H = 3;
const T_DF = 6;

/** Stationary distribution of the chain (power iteration; the chain is small and ergodic). */
export function stationaryDistribution(p: readonly (readonly number[])[] = REGIME_TRANSITION): number[] {
  let pi = p.map(() => 1 / p.length);
  for (let it = 0; it < 2000; it++) {
    pi = pi.map((_, j) => pi.reduce((s, pk, k) => s + pk * p[k]![j]!, 0));
  }
  return pi;
}

export interface BenchmarkPath {
  /** Index into REGIME_NAMES per day. */
  regime: Uint8Array;
  /** Close-to-close log return per day (day 0 is the return from the start price). */
  ret: Float64Array;
  /** The day's conditional volatility. */
  sigma: Float64Array;
  /** The day's standardised shock (ret - drift) / sigma. */
  shock: Float64Array;
}

function draw(rng: Rng, probs: readonly number[]): number {
  const u = rng.next();
  let acc = 0;
  for (let j = 0; j < probs.length - 1; j++) {
    acc += probs[j]!;
    if (u < acc) return j;
  }
  return probs.length - 1;
}

/**
 * Simulate `n` days. Day t consumes the same draws whatever n is (one uniform for the state, one
 * Student-t shock), which is what makes the sample market prefix-stable.
 */
export function simulateBenchmark(rng: Rng, n: number): BenchmarkPath {
  const regime = new Uint8Array(n);
  const ret = new Float64Array(n);
  const sigma = new Float64Array(n);
  const shock = new Float64Array(n);
  const pi = stationaryDistribution();
  let state = 0;
  let h = 1;
  for (let t = 0; t < n; t++) {
    state = t === 0 ? draw(rng, pi) : draw(rng, REGIME_TRANSITION[state]!);
    const z = rng.studentT(T_DF);
    // The multiplier h (mean 1) clusters volatility inside a state; the state sets the level, so
    // a switch moves volatility at once instead of bleeding in over weeks.
    const s = REGIME_VOL[state]! * Math.sqrt(h);
    regime[t] = state;
    sigma[t] = s;
    shock[t] = z;
    ret[t] = REGIME_DRIFT[state]! + s * z;
    h = Math.min(GARCH_MAX_H, 1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * h * z * z + GARCH_BETA * h);
  }
  return { regime, ret, sigma, shock };
}
