/** Realised volatility of daily log returns. */
import { rollingMeanStd } from './rolling.js';

const TRADING_DAYS = 252;

/**
 * `rv_{n}`: sample (n-1) standard deviation of the n most recent daily log returns (the returns
 * dated t-n+1..t, so closes t-n..t), annualised by sqrt(252). NaN for the first n rows.
 */
export function realizedVol(logRet: Float64Array, n: number): Float64Array {
  const { std } = rollingMeanStd(logRet, n);
  const k = Math.sqrt(TRADING_DAYS);
  for (let t = 0; t < std.length; t++) std[t] *= k;
  return std;
}
