/**
 * ML labels: the next-state classes the models learn. Forward-looking BY DESIGN (they read closes
 * after t), so they are listed in FORWARD_LOOKING_COLUMNS and must never feed a decision.
 */
import { logReturn } from './returns.js';
import { rollingMeanStd } from './rolling.js';

export interface LabelOptions {
  /** Forward horizons h in rows (trading days). */
  horizons: number[];
  /** Trailing window of daily log returns for sigma_daily(t) (>= 2). */
  vol_window: number;
  /** Band half-width in units of sigma_daily(t) * sqrt(h) (>= 0). */
  threshold: number;
}

export const DOWN = 0;
export const FLAT = 1;
export const UP = 2;

/** Names of the label columns, the ones no decision may use. */
export function FORWARD_LOOKING_COLUMNS(horizons: number[]): string[] {
  return [...new Set(horizons)].sort((a, b) => a - b).map((h) => `target_state_h${h}`);
}

/**
 * `target_state_h{h}`[t]: with r = close[t+h]/close[t] - 1 and band = threshold * sigma_daily(t) *
 * sqrt(h), where sigma_daily(t) is the sample std of the vol_window daily log returns ending at t
 * (known at t): 2 (up) if r > band, 0 (down) if r < -band, else 1 (flat; the band edges are flat).
 * NaN for the last h rows, the first vol_window rows, and wherever an input is missing.
 */
export function computeLabels(close: Float64Array, opts: LabelOptions): Record<string, Float64Array> {
  if (!Number.isInteger(opts.vol_window) || opts.vol_window < 2) {
    throw new Error(`labels: vol_window must be an integer >= 2, got ${opts.vol_window}`);
  }
  if (!(opts.threshold >= 0)) throw new Error(`labels: threshold must be >= 0, got ${opts.threshold}`);
  const { std: sigma } = rollingMeanStd(logReturn(close), opts.vol_window);
  const out: Record<string, Float64Array> = {};
  for (const h of [...new Set(opts.horizons)].sort((a, b) => a - b)) {
    if (!Number.isInteger(h) || h < 1) throw new Error(`labels: horizon ${h} must be an integer >= 1`);
    const col = new Float64Array(close.length).fill(NaN);
    const k = opts.threshold * Math.sqrt(h);
    for (let t = 0; t + h < close.length; t++) {
      const r = close[t + h] / close[t] - 1;
      const band = k * sigma[t];
      if (Number.isNaN(r) || Number.isNaN(band)) continue;
      col[t] = r > band ? UP : r < -band ? DOWN : FLAT;
    }
    out[`target_state_h${h}`] = col;
  }
  return out;
}
