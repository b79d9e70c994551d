/** Volume and liquidity features. */
import { rollingMean, rollingMeanStd } from './rolling.js';

/** Window of `log_dollar_volume_20`, fixed by the column's name. */
export const DOLLAR_VOLUME_WINDOW = 20;

/**
 * `volume_z_{n}`: (volume[t] - mean) / sample std over the n volumes ending at t (t included).
 * NaN for the first n-1 rows and when the window is flat (std 0: the z-score is undefined).
 */
export function volumeZ(volume: Float64Array, n: number): Float64Array {
  const { mean, std } = rollingMeanStd(volume, n);
  const out = new Float64Array(volume.length);
  for (let t = 0; t < volume.length; t++) out[t] = std[t] > 0 ? (volume[t] - mean[t]) / std[t] : NaN;
  return out;
}

/** `dollar_volume`: close * volume (adjusted close; a liquidity proxy, not a traded amount). */
export function dollarVolume(close: Float64Array, volume: Float64Array): Float64Array {
  const out = new Float64Array(close.length);
  for (let t = 0; t < close.length; t++) out[t] = close[t] * volume[t];
  return out;
}

/**
 * `log_dollar_volume_20`: natural log of the 20-day mean dollar volume (NaN for the first 19
 * rows, and for a window with no volume at all: log 0 would be -Infinity, which is no value).
 */
export function logDollarVolume(dollarVol: Float64Array): Float64Array {
  const m = rollingMean(dollarVol, DOLLAR_VOLUME_WINDOW);
  for (let t = 0; t < m.length; t++) m[t] = m[t] > 0 ? Math.log(m[t]) : NaN;
  return m;
}
