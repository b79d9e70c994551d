import { createRng, deriveSeed, type Rng } from '../../core/rng.js';
import type { ActionSchedule } from './corporate-actions.js';
import type { BenchmarkPath } from './regime-process.js';

/** One sample stock's hidden parameters, drawn from the seed and its ticker name only. */
export interface StockParams {
  beta: number;
  /** Own daily drift. */
  alpha: number;
  /** Idiosyncratic daily volatility in a bull market. */
  idioVol: number;
  /** AR(1) coefficient of the idiosyncratic return: negative = short-horizon mean reversion. */
  reversal: number;
  startPrice: number;
  baseVolume: number;
  actions: ActionSchedule;
}

/** Idiosyncratic volatility rises with the market state (dispersion is higher in bad markets). */
const IDIO_STATE_MULT = [1, 1.25, 1.7] as const;
/** Slow latent drift (momentum): AR(1) with this persistence and stationary sd. */
const DRIFT_PERSISTENCE = 0.98;
const DRIFT_SD = 0.0004;
const GARCH_ALPHA = 0.05;
const GARCH_BETA = 0.9;
const T_DF = 5;

/** Parameters of a ticker: independent of the other tickers and of the date range. */
export function stockParams(seed: number, ticker: string): StockParams {
  const rng = createRng(deriveSeed(seed, `params:${ticker}`));
  const uniform = (a: number, b: number): number => a + (b - a) * rng.next();
  return {
    beta: uniform(0.6, 1.6),
    alpha: 0.0001 + 0.0002 * rng.normal(),
    idioVol: uniform(0.008, 0.02),
    reversal: uniform(-0.15, -0.05),
    startPrice: Math.exp(uniform(Math.log(15), Math.log(250))),
    baseVolume: Math.exp(uniform(Math.log(2e5), Math.log(2e7))),
    actions: {
      // First split inside the first year (so every range of a year or more has one), then one every
      // ~4-6 years: rare, because each split restates the whole Adj Close history.
      firstSplit: 40 + rng.int(210),
      splitEvery: 1000 + rng.int(500),
      dividendPhase: rng.int(63),
      dividendEvery: 63,
      quarterlyYield: uniform(0.005, 0.035) / 4,
    },
  };
}

export interface StockPath {
  ret: Float64Array;
  sigma: Float64Array;
}

/**
 * Daily log returns: drift + latent momentum drift + beta * market + AR(1) idiosyncratic part
 * with clustered Student-t shocks. The same draws every day, whatever the path length.
 */
export function simulateStock(p: StockParams, market: BenchmarkPath, rng: Rng): StockPath {
  const n = market.ret.length;
  const ret = new Float64Array(n);
  const sigma = new Float64Array(n);
  const innovSd = DRIFT_SD * Math.sqrt(1 - DRIFT_PERSISTENCE * DRIFT_PERSISTENCE);
  let drift = DRIFT_SD * rng.normal();
  let idio = 0;
  let h = 1;
  for (let t = 0; t < n; t++) {
    const z = rng.studentT(T_DF);
    const driftShock = rng.normal();
    const idioSigma = p.idioVol * IDIO_STATE_MULT[market.regime[t]!]! * Math.sqrt(h);
    idio = p.reversal * idio + idioSigma * z;
    ret[t] = p.alpha + drift + p.beta * market.ret[t]! + idio;
    const ms = p.beta * market.sigma[t]!;
    sigma[t] = Math.sqrt(ms * ms + idioSigma * idioSigma);
    h = Math.min(9, 1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * h * z * z + GARCH_BETA * h);
    drift = DRIFT_PERSISTENCE * drift + innovSd * driftShock;
  }
  return { ret, sigma };
}
