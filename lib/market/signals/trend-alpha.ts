/**
 * trend_alpha[t] = tanh( (1/K) * Σ_{n in windows} close_sma_{n}[t] / (σ_d[t] * sqrt(n)) / scale )
 * where σ_d = rv_{vol_window}[t] / sqrt(252) is the daily volatility and K = |windows|.
 * Each term is the close's distance above its n-day SMA in units of the volatility accumulated
 * over n days, so windows and tickers of different volatility blend on one scale. Positive when
 * the close is above its moving averages (up-trend). NaN while any input is NaN (warm-up: the
 * first max(max(windows) - 1, vol_window) rows) and where rv is 0 (no scale to measure against).
 */
import type { Frame } from '../types.js';
import { checkScale, requireColumn, TRADING_DAYS } from './column.js';

export interface TrendAlphaOptions {
  /** SMA windows to blend (each must be among the features' sma windows). */
  windows: number[];
  /** Window of the rv_{n} used to normalise. */
  vol_window: number;
  /** Divisor of the blended z before tanh. */
  scale: number;
}

export function trendAlphaColumns(opts: TrendAlphaOptions): string[] {
  return [...opts.windows.map((n) => `close_sma_${n}`), `rv_${opts.vol_window}`];
}

export function trendAlpha(features: Frame, opts: TrendAlphaOptions): Float64Array {
  checkScale(opts.scale, 'trend_alpha');
  if (opts.windows.length === 0) throw new Error('signal trend_alpha: windows must not be empty');
  // Sorted so the floating-point sum does not depend on how the config listed the windows.
  const windows = [...new Set(opts.windows)].sort((a, b) => a - b);
  const cols = windows.map((n) => requireColumn(features, `close_sma_${n}`, 'trend_alpha'));
  const rv = requireColumn(features, `rv_${opts.vol_window}`, 'trend_alpha');
  const roots = windows.map((n) => Math.sqrt(n));
  const out = new Float64Array(features.date.length);
  for (let t = 0; t < out.length; t++) {
    const daily = rv[t] / Math.sqrt(TRADING_DAYS);
    if (!(daily > 0)) {
      out[t] = NaN;
      continue;
    }
    let z = 0;
    for (let k = 0; k < cols.length; k++) z += cols[k][t] / (daily * roots[k]);
    out[t] = Math.tanh(z / cols.length / opts.scale);
  }
  return out;
}
