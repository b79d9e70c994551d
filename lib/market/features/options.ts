/** Feature options, the column names they produce, and the look-back they need. */
import { DOLLAR_VOLUME_WINDOW } from './volume.js';

export interface FeatureOptions {
  /** Windows of sma_{n}, close_sma_{n}, close_z_{n} (each >= 2). */
  sma: number[];
  /** Horizons of ret_{n} (ret_1 is always produced). */
  returns: number[];
  /** Windows of rv_{n} (each >= 2). */
  realized_vol: number[];
  /** Window of volume_z_{n} (>= 2). */
  volume_z: number;
  /** Horizons of rs_{n}. */
  rs: number[];
}

function windows(list: number[], min: number, key: string): number[] {
  for (const n of list) {
    if (!Number.isInteger(n) || n < min) throw new Error(`features.${key}: window ${n} must be an integer >= ${min}`);
  }
  // Sorted and de-duplicated so column order never depends on how the config listed them.
  return [...new Set(list)].sort((a, b) => a - b);
}

/** Validated, sorted, de-duplicated windows. */
export function normalizeFeatureOptions(opts: FeatureOptions): FeatureOptions {
  return {
    sma: windows(opts.sma, 2, 'sma'),
    returns: windows([1, ...opts.returns], 1, 'returns'),
    realized_vol: windows(opts.realized_vol, 2, 'realized_vol'),
    volume_z: windows([opts.volume_z], 2, 'volume_z')[0],
    rs: windows(opts.rs, 1, 'rs'),
  };
}

/** Output columns of computeFeatures, in output order (date excluded). */
export function featureColumns(opts: FeatureOptions): string[] {
  const o = normalizeFeatureOptions(opts);
  return [
    'log_ret_1',
    ...o.returns.map((n) => `ret_${n}`),
    ...o.sma.flatMap((n) => [`sma_${n}`, `close_sma_${n}`, `close_z_${n}`]),
    ...o.realized_vol.map((n) => `rv_${n}`),
    `volume_z_${o.volume_z}`,
    'dollar_volume',
    `log_dollar_volume_${DOLLAR_VOLUME_WINDOW}`,
    ...o.rs.map((n) => `rs_${n}`),
  ];
}

/**
 * Rows of history every feature at row t reads before t: a window of n values ending at t reads
 * n-1 earlier rows (sma, close_z, volume_z, dollar-volume mean); a return over n days reads n (ret,
 * rs, and rv_n whose n log returns need n+1 closes). Because every value is a pure function of the
 * rows it reads (see rolling.ts), recomputing from `maxLookback` rows before a cut reproduces every
 * row >= the cut bit for bit. Signals are row-wise functions of features and need nothing more.
 */
export function maxLookback(opts: FeatureOptions): number {
  const o = normalizeFeatureOptions(opts);
  return Math.max(
    1,
    ...o.returns,
    ...o.sma.map((n) => n - 1),
    ...o.realized_vol,
    o.volume_z - 1,
    DOLLAR_VOLUME_WINDOW - 1,
    ...o.rs,
  );
}
