import type { Rng } from '../../core/rng.js';
import { backAdjust, isDividendDay, isSplitDay, splitRatioFor, type ActionSchedule } from './corporate-actions.js';
import type { YahooColumns } from './yahoo-csv.js';

/**
 * After the first split (always done, so every stock has one), a scheduled split goes ahead only
 * when the price is high enough, as real boards decide: this keeps prices out of penny range.
 */
const MIN_PRICE_TO_SPLIT = 60;

export interface BarPathInput {
  dates: string[];
  /** Close-to-close log return of the adjusted (total return) price. */
  ret: Float64Array;
  /** The day's volatility, which sets intraday range and volume. */
  sigma: Float64Array;
  startPrice: number;
  /** Typical share volume at typical volatility. */
  baseVolume: number;
  /** The volatility at which volume equals baseVolume. */
  refSigma: number;
  /** Splits and dividends; none for an index. */
  actions?: ActionSchedule;
}

/**
 * Unadjusted daily bars from a return path. The traded close after an event is
 * (previous close / split ratio - dividend) * exp(ret), so the back-adjusted close moves by
 * exactly exp(ret) every day: the adjusted series is the return path, the raw one jumps.
 * Each day consumes four normals from `rng` whatever the path length (prefix stability).
 */
export function buildSampleBars(input: BarPathInput, rng: Rng): YahooColumns {
  const { dates, ret, sigma, actions } = input;
  const n = dates.length;
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const multiplier = new Float64Array(n).fill(1);
  let prev = input.startPrice;
  let shares = 1; // cumulative split multiple: share volume scales with it
  for (let t = 0; t < n; t++) {
    let base = prev;
    if (actions && t > 0 && isSplitDay(actions, t) && (shares === 1 || prev >= MIN_PRICE_TO_SPLIT)) {
      const k = splitRatioFor(prev);
      base = prev / k;
      shares *= k;
      multiplier[t] = 1 / k;
    } else if (actions && t > 0 && isDividendDay(actions, t)) {
      const d = Math.round(actions.quarterlyYield * prev * 10_000) / 10_000;
      base = prev - d;
      multiplier[t] = 1 - d / prev;
    }
    const r = ret[t]!;
    const s = sigma[t]!;
    const gapNoise = rng.normal();
    const upNoise = rng.normal();
    const downNoise = rng.normal();
    const volNoise = rng.normal();
    // Part of the day's move happens overnight (opening gap), plus noise the close later undoes.
    const o = base * Math.exp(0.35 * r + 0.3 * s * gapNoise);
    const c = base * Math.exp(r);
    open[t] = o;
    close[t] = c;
    high[t] = Math.max(o, c) * Math.exp(0.6 * s * Math.abs(upNoise));
    low[t] = Math.min(o, c) * Math.exp(-0.6 * s * Math.abs(downNoise));
    // Volume rises with the volatility level and with the size of the day's move.
    const surprise = Math.abs(r) / s;
    volume[t] = Math.max(1, Math.round(input.baseVolume * shares * (s / input.refSigma) * (0.7 + 0.3 * surprise) * Math.exp(0.25 * volNoise)));
    prev = c;
  }
  return { date: dates, open, high, low, close, adjClose: backAdjust(close, multiplier), volume };
}
