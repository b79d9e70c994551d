/**
 * mean_reversion_alpha[t] = -tanh( close_z_{window}[t] / scale )
 * where close_z_n = (close - sma_n) / (sample std of the same n closes): a Bollinger z-score.
 * Negative when the close is stretched above its short SMA (expect a pull back), positive when
 * stretched below. NaN while close_z is NaN (warm-up: the first window - 1 rows; flat windows).
 */
import type { Frame } from '../types.js';
import { checkScale, requireColumn } from './column.js';

export interface MeanReversionAlphaOptions {
  /** Short SMA window (must be among the features' sma windows). */
  window: number;
  /** z-score mapped to -tanh(1) ≈ -0.76. */
  scale: number;
}

export function meanReversionAlphaColumns(opts: MeanReversionAlphaOptions): string[] {
  return [`close_z_${opts.window}`];
}

export function meanReversionAlpha(features: Frame, opts: MeanReversionAlphaOptions): Float64Array {
  checkScale(opts.scale, 'mean_reversion_alpha');
  const z = requireColumn(features, `close_z_${opts.window}`, 'mean_reversion_alpha');
  const out = new Float64Array(z.length);
  for (let t = 0; t < z.length; t++) out[t] = -Math.tanh(z[t] / opts.scale);
  return out;
}
