/**
 * rel_strength_alpha[t] = tanh( rs_{window}[t] / (σ_d[t] * sqrt(window)) / scale )
 * where rs_n = ticker ret_n - benchmark ret_n over the same dates and σ_d = rv_{vol_window}[t] /
 * sqrt(252): the out-performance in units of the ticker's own volatility over `window` days.
 * Positive when the ticker beat the benchmark. Exactly 0 for the benchmark itself. NaN while any
 * input is NaN (warm-up: the first max(window, vol_window) rows; dates the benchmark lacks) and
 * where rv is 0.
 */
import type { Frame } from '../types.js';
import { checkScale, requireColumn, TRADING_DAYS } from './column.js';

export interface RelStrengthAlphaOptions {
  /** Horizon n of rs_{n} (must be among the features' rs horizons). */
  window: number;
  vol_window: number;
  scale: number;
}

export function relStrengthAlphaColumns(opts: RelStrengthAlphaOptions): string[] {
  return [`rs_${opts.window}`, `rv_${opts.vol_window}`];
}

export function relStrengthAlpha(features: Frame, opts: RelStrengthAlphaOptions): Float64Array {
  checkScale(opts.scale, 'rel_strength_alpha');
  const rs = requireColumn(features, `rs_${opts.window}`, 'rel_strength_alpha');
  const rv = requireColumn(features, `rv_${opts.vol_window}`, 'rel_strength_alpha');
  const root = Math.sqrt(opts.window);
  const annualToDaily = Math.sqrt(TRADING_DAYS);
  const out = new Float64Array(rs.length);
  for (let t = 0; t < out.length; t++) {
    const daily = rv[t] / annualToDaily;
    out[t] = daily > 0 ? Math.tanh(rs[t] / (daily * root) / opts.scale) : NaN;
  }
  return out;
}
