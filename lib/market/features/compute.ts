/** computeFeatures: every feature column for one ticker's processed bars. */
import type { Bars, Frame } from '../types.js';
import { normalizeFeatureOptions, type FeatureOptions } from './options.js';
import { logReturn, simpleReturn } from './returns.js';
import { trendFeatures } from './trend.js';
import { realizedVol } from './volatility.js';
import { dollarVolume, logDollarVolume, volumeZ, DOLLAR_VOLUME_WINDOW } from './volume.js';
import { alignDates, relativeStrength } from './relative-strength.js';

const BAR_COLUMNS = ['open', 'high', 'low', 'close', 'volume', 'raw_close', 'adj_factor'] as const;

/** Throws if the bars' columns differ in length or the dates are not strictly ascending. */
export function checkBars(bars: Bars, what: string): void {
  const n = bars.date.length;
  for (const c of BAR_COLUMNS) {
    if (bars[c].length !== n) throw new Error(`${what}: column ${c} has ${bars[c].length} rows but date has ${n}`);
  }
  for (let t = 1; t < n; t++) {
    if (!(bars.date[t - 1] < bars.date[t])) {
      throw new Error(`${what}: dates not strictly ascending at row ${t} (${bars.date[t]} after ${bars.date[t - 1]})`);
    }
  }
}

/**
 * Feature frame on the same dates as `bars`. Warm-up rows are NaN; a missing input inside a window
 * makes that value NaN. Pass the benchmark's own bars as `bench` when computing the benchmark
 * (rs_n is then exactly 0); `bench === null` means no benchmark and every rs_n is NaN.
 */
export function computeFeatures(bars: Bars, bench: Bars | null, options: FeatureOptions): Frame {
  checkBars(bars, 'features: bars');
  if (bench) checkBars(bench, 'features: benchmark bars');
  const opts = normalizeFeatureOptions(options);
  const { close, volume } = bars;
  const columns: Record<string, Float64Array> = {};

  // Daily log returns: input of rv_n, and the return series the regime engine and risk use.
  const logRet = logReturn(close);
  columns.log_ret_1 = logRet;
  const rets = new Map<number, Float64Array>();
  for (const n of opts.returns) {
    const r = simpleReturn(close, n);
    rets.set(n, r);
    columns[`ret_${n}`] = r;
  }
  for (const n of opts.sma) {
    const f = trendFeatures(close, n);
    columns[`sma_${n}`] = f.sma;
    columns[`close_sma_${n}`] = f.closeSma;
    columns[`close_z_${n}`] = f.closeZ;
  }
  for (const n of opts.realized_vol) columns[`rv_${n}`] = realizedVol(logRet, n);
  columns[`volume_z_${opts.volume_z}`] = volumeZ(volume, opts.volume_z);
  const dv = dollarVolume(close, volume);
  columns.dollar_volume = dv;
  columns[`log_dollar_volume_${DOLLAR_VOLUME_WINDOW}`] = logDollarVolume(dv);

  const benchRow = bench ? alignDates(bars.date, bench.date) : null;
  for (const n of opts.rs) {
    const ret = rets.get(n) ?? simpleReturn(close, n);
    columns[`rs_${n}`] =
      bench && benchRow ? relativeStrength(ret, n, benchRow, bench) : new Float64Array(close.length).fill(NaN);
  }
  return { date: bars.date.slice(), columns };
}
