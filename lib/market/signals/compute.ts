/** computeSignals: the four rule-based alphas, each a row-wise function of the feature frame. */
import type { Frame } from '../types.js';
import { trendAlpha, trendAlphaColumns, type TrendAlphaOptions } from './trend-alpha.js';
import { meanReversionAlpha, meanReversionAlphaColumns, type MeanReversionAlphaOptions } from './mean-reversion-alpha.js';
import { volAlpha, volAlphaColumns, type VolAlphaOptions } from './vol-alpha.js';
import { relStrengthAlpha, relStrengthAlphaColumns, type RelStrengthAlphaOptions } from './rel-strength-alpha.js';

export interface SignalOptions {
  trend: TrendAlphaOptions;
  mean_reversion: MeanReversionAlphaOptions;
  vol: VolAlphaOptions;
  rel_strength: RelStrengthAlphaOptions;
}

/** Output columns of computeSignals, in output order. */
export const SIGNAL_COLUMNS = ['trend_alpha', 'mean_reversion_alpha', 'vol_alpha', 'rel_strength_alpha'] as const;

/**
 * Defaults matching the spec's lookbacks (sma [10, 20, 50, 200], realized_vol [10, 20, 60]) and an
 * rs horizon of 20. Scales put a "typical" reading near tanh(1).
 */
export const DEFAULT_SIGNAL_OPTIONS: SignalOptions = {
  trend: { windows: [20, 50, 200], vol_window: 20, scale: 1 },
  mean_reversion: { window: 10, scale: 2 },
  vol: { short_window: 10, long_window: 60, scale: 0.5 },
  rel_strength: { window: 20, vol_window: 60, scale: 1 },
};

/** Feature columns the signals read (sorted, unique): lets the caller check or select them up front. */
export function signalColumnsNeeded(opts: SignalOptions): string[] {
  const all = [
    ...trendAlphaColumns(opts.trend),
    ...meanReversionAlphaColumns(opts.mean_reversion),
    ...volAlphaColumns(opts.vol),
    ...relStrengthAlphaColumns(opts.rel_strength),
  ];
  return [...new Set(all)].sort();
}

/** Signal frame on the features' dates; every value in [-1, 1] or NaN. */
export function computeSignals(features: Frame, opts: SignalOptions): Frame {
  return {
    date: features.date.slice(),
    columns: {
      trend_alpha: trendAlpha(features, opts.trend),
      mean_reversion_alpha: meanReversionAlpha(features, opts.mean_reversion),
      vol_alpha: volAlpha(features, opts.vol),
      rel_strength_alpha: relStrengthAlpha(features, opts.rel_strength),
    },
  };
}
