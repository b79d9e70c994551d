/**
 * vol_alpha[t] = tanh( ln(rv_{long_window}[t] / rv_{short_window}[t]) / scale )
 * Sign convention: POSITIVE when short-term realised vol is below long-term (a calm market, where
 * risk-on positioning has historically paid), NEGATIVE when short-term vol spikes above long-term.
 * NaN while either rv is NaN (warm-up: the first max(short, long) rows) or when either is 0.
 */
import type { Frame } from '../types.js';
import { checkScale, requireColumn } from './column.js';

export interface VolAlphaOptions {
  short_window: number;
  long_window: number;
  /** Log vol ratio mapped to tanh(1) ≈ 0.76. */
  scale: number;
}

export function volAlphaColumns(opts: VolAlphaOptions): string[] {
  return [`rv_${opts.short_window}`, `rv_${opts.long_window}`];
}

export function volAlpha(features: Frame, opts: VolAlphaOptions): Float64Array {
  checkScale(opts.scale, 'vol_alpha');
  const short = requireColumn(features, `rv_${opts.short_window}`, 'vol_alpha');
  const long = requireColumn(features, `rv_${opts.long_window}`, 'vol_alpha');
  const out = new Float64Array(short.length);
  for (let t = 0; t < out.length; t++) {
    // A zero vol has no meaningful ratio: NaN, not ±1.
    out[t] = short[t] > 0 && long[t] > 0 ? Math.tanh(Math.log(long[t] / short[t]) / opts.scale) : NaN;
  }
  return out;
}
