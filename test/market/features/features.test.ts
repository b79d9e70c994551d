import { describe, expect, test } from '@jest/globals';
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';
import { computeFeatures } from '../../../lib/market/features/compute.js';
import { featureColumns, maxLookback } from '../../../lib/market/features/options.js';
import type { Bars, Frame } from '../../../lib/market/types.js';
import { HAS_MARKET, SPEC_OPTS, columnsOf, expectClose, readMarketCsv, sliceBars, syntheticBars, warmup } from './fixtures.js';

// ---- independent brute-force oracles: one window loop per value, no shared code with lib ----
const nan = (len: number) => new Array<number>(len).fill(NaN);

function windowOf(x: Float64Array, t: number, n: number): number[] | null {
  if (t < n - 1) return null;
  const w = Array.from(x.subarray(t - n + 1, t + 1));
  return w.some((v) => Number.isNaN(v)) ? null : w;
}
function loopMean(w: number[]): number {
  let s = 0;
  for (const v of w) s += v;
  return s / w.length;
}
function loopStd(w: number[]): number {
  const m = loopMean(w);
  let q = 0;
  for (const v of w) q += (v - m) ** 2;
  return Math.sqrt(q / (w.length - 1));
}
function logRets(close: Float64Array): Float64Array {
  return Float64Array.from(close, (c, t) => (t === 0 ? NaN : Math.log(c / close[t - 1])));
}

function oracle(bars: Bars, bench: Bars | null): Record<string, number[]> {
  const { close, volume } = bars;
  const len = close.length;
  const out: Record<string, number[]> = {};
  const lr = logRets(close);
  out.log_ret_1 = Array.from(lr);
  for (const n of [1, 5, 20]) out[`ret_${n}`] = Array.from(close, (c, t) => (t < n ? NaN : c / close[t - n] - 1));
  for (const n of SPEC_OPTS.sma) {
    out[`sma_${n}`] = nan(len);
    out[`close_sma_${n}`] = nan(len);
    out[`close_z_${n}`] = nan(len);
    for (let t = 0; t < len; t++) {
      const w = windowOf(close, t, n);
      if (!w) continue;
      const m = loopMean(w);
      out[`sma_${n}`][t] = m;
      out[`close_sma_${n}`][t] = close[t] / m - 1;
      out[`close_z_${n}`][t] = (close[t] - m) / loopStd(w);
    }
  }
  for (const n of SPEC_OPTS.realized_vol) {
    out[`rv_${n}`] = Array.from(close, (_, t) => {
      const w = windowOf(lr, t, n);
      return w ? loopStd(w) * Math.sqrt(252) : NaN;
    });
  }
  out.volume_z_20 = Array.from(volume, (v, t) => {
    const w = windowOf(volume, t, 20);
    return w ? (v - loopMean(w)) / loopStd(w) : NaN;
  });
  const dv = Float64Array.from(close, (c, t) => c * volume[t]);
  out.dollar_volume = Array.from(dv);
  out.log_dollar_volume_20 = Array.from(dv, (_, t) => {
    const w = windowOf(dv, t, 20);
    return w && loopMean(w) > 0 ? Math.log(loopMean(w)) : NaN; // no volume at all: no log
  });
  const bclose = new Map<string, number>();
  if (bench) bench.date.forEach((d, i) => bclose.set(d, bench.close[i]));
  for (const n of SPEC_OPTS.rs) {
    out[`rs_${n}`] = Array.from(close, (c, t) => {
      if (t < n || !bench) return NaN;
      const b1 = bclose.get(bars.date[t]);
      const b0 = bclose.get(bars.date[t - n]);
      return b1 === undefined || b0 === undefined ? NaN : c / close[t - n] - 1 - (b1 / b0 - 1);
    });
  }
  return out;
}

/** Tolerance: relative 1e-9; dimensionless columns that cross 0 (differences of nearly equal numbers) also get 1e-12 absolute. */
function expectMatchesOracle(f: Frame, bars: Bars, bench: Bars | null): void {
  const o = oracle(bars, bench);
  expect(columnsOf(f)).toEqual(Object.keys(o).sort());
  for (const [name, expected] of Object.entries(o)) {
    const nearZero = /^(ret_|log_ret|close_sma_|close_z_|volume_z_|rs_)/.test(name);
    expectClose(f.columns[name], expected, name, 1e-9, nearZero ? 1e-12 : 0);
  }
}

/** sma and std-based columns against simple-statistics, sampled rows. */
function expectMatchesSimpleStatistics(f: Frame, bars: Bars): void {
  const lr = logRets(bars.close);
  let checked = 0;
  for (let t = 250; t < bars.close.length; t += 41) {
    for (const n of SPEC_OPTS.sma) {
      const w = Array.from(bars.close.subarray(t - n + 1, t + 1));
      expect(Math.abs(f.columns[`sma_${n}`][t] - ssMean(w))).toBeLessThanOrEqual(1e-9 * ssMean(w));
      const z = (bars.close[t] - ssMean(w)) / sampleStandardDeviation(w);
      expect(Math.abs(f.columns[`close_z_${n}`][t] - z)).toBeLessThanOrEqual(1e-9 * Math.abs(z) + 1e-12);
    }
    for (const n of SPEC_OPTS.realized_vol) {
      const rv = sampleStandardDeviation(Array.from(lr.subarray(t - n + 1, t + 1))) * Math.sqrt(252);
      expect(Math.abs(f.columns[`rv_${n}`][t] - rv)).toBeLessThanOrEqual(1e-9 * rv);
    }
    const vw = Array.from(bars.volume.subarray(t - 19, t + 1));
    const vz = (bars.volume[t] - ssMean(vw)) / sampleStandardDeviation(vw);
    expect(Math.abs(f.columns.volume_z_20[t] - vz)).toBeLessThanOrEqual(1e-9 * Math.abs(vz) + 1e-12);
    checked++;
  }
  expect(checked).toBeGreaterThan(10);
}

describe('every feature equals an independent brute-force computation', () => {
  test('synthetic bars with a benchmark on a different calendar (1e-9 relative)', () => {
    const bars = syntheticBars(11, 900);
    // The benchmark lacks some dates and has the ticker's first 30 dates missing entirely.
    const full = syntheticBars(12, 900);
    const keep = full.date.map((_, i) => i >= 30 && i % 97 !== 5);
    const pick = (x: Float64Array) => x.filter((_, i) => keep[i]);
    const bench: Bars = {
      date: full.date.filter((_, i) => keep[i]), open: pick(full.open), high: pick(full.high), low: pick(full.low),
      close: pick(full.close), volume: pick(full.volume), raw_close: pick(full.raw_close), adj_factor: pick(full.adj_factor),
    };
    const f = computeFeatures(bars, bench, SPEC_OPTS);
    expect(f.date).toEqual(bars.date);
    expectMatchesOracle(f, bars, bench);
    expectMatchesSimpleStatistics(f, bars);
    // A date the benchmark lacks gives NaN at that row (and n rows later), not a stale value.
    const lacking = bars.date.findIndex((_, i) => i > 300 && i % 97 === 5);
    expect(f.columns.rs_20[lacking]).toBeNaN();
    expect(f.columns.rs_20[lacking + 20]).toBeNaN();
    expect(f.columns.rs_20[lacking + 1]).not.toBeNaN();
  });

  test.each(['NVDA.csv', 'ORCL.csv', 'YHOO.csv'])('real file %s against SPX (1e-9 relative)', (file) => {
    if (!HAS_MARKET) return console.warn(`skipped: no ${file}`);
    const bars = readMarketCsv(file);
    const bench = readMarketCsv('SPX.csv');
    const f = computeFeatures(bars, bench, SPEC_OPTS);
    expectMatchesOracle(f, bars, bench);
    expectMatchesSimpleStatistics(f, bars);
    // SPX starts in 2000: every rs before that is NaN, and defined afterwards.
    const first = bars.date.findIndex((d) => d >= '2000-01-03');
    expect(f.columns.rs_20.subarray(0, first + 20).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(f.columns.rs_20[first + 20])).toBe(false);
  });
});

describe('warm-up rows are NaN, exactly', () => {
  test('first n-1 rows for windows of n values, first n rows for n-day returns', () => {
    const f = computeFeatures(syntheticBars(21, 400), syntheticBars(22, 400), SPEC_OPTS);
    const expected: Record<string, number> = { log_ret_1: 1, dollar_volume: 0, log_dollar_volume_20: 19, volume_z_20: 19 };
    for (const n of [1, 5, 20]) expected[`ret_${n}`] = n;
    for (const n of SPEC_OPTS.sma) Object.assign(expected, { [`sma_${n}`]: n - 1, [`close_sma_${n}`]: n - 1, [`close_z_${n}`]: n - 1 });
    for (const n of SPEC_OPTS.realized_vol) expected[`rv_${n}`] = n;
    for (const n of SPEC_OPTS.rs) expected[`rs_${n}`] = n;
    const got = Object.fromEntries(Object.entries(f.columns).map(([k, v]) => [k, warmup(v, k)]));
    expect(got).toEqual(expected);
    expect(Math.max(...Object.values(expected))).toBe(maxLookback(SPEC_OPTS));
    expect(featureColumns(SPEC_OPTS).sort()).toEqual(Object.keys(expected).sort());
  });

  test('a missing close poisons exactly the windows that contain it', () => {
    const bars = syntheticBars(23, 400);
    const k = 250;
    bars.close[k] = NaN;
    const f = computeFeatures(bars, null, SPEC_OPTS);
    const nanRows = (x: Float64Array) => Array.from(x.keys()).filter((t) => t >= 200 && Number.isNaN(x[t]));
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(nanRows(f.columns.sma_20)).toEqual(range(k, k + 19));
    expect(nanRows(f.columns.close_z_10)).toEqual(range(k, k + 9));
    // Both log returns touching close k are missing, so rv_n loses n + 1 rows.
    expect(nanRows(f.columns.rv_10)).toEqual(range(k, k + 10));
    // A simple return only reads its two endpoints.
    expect(nanRows(f.columns.ret_5)).toEqual([k, k + 5]);
  });
});

describe('relative strength', () => {
  test('for the benchmark itself rs_n is exactly 0 wherever ret_n is defined', () => {
    const bench = syntheticBars(31, 300);
    const f = computeFeatures(bench, bench, SPEC_OPTS);
    for (const n of SPEC_OPTS.rs) {
      const rs = f.columns[`rs_${n}`];
      expect(rs.subarray(0, n).every(Number.isNaN)).toBe(true);
      expect(rs.subarray(n).every((v) => Object.is(v, 0))).toBe(true);
    }
  });

  test('without a benchmark every rs_n is NaN (the columns still exist)', () => {
    const f = computeFeatures(syntheticBars(32, 100), null, SPEC_OPTS);
    expect(f.columns.rs_20.every(Number.isNaN)).toBe(true);
  });
});

describe('bad input is rejected with a message naming what is wrong', () => {
  test('unsorted dates, ragged columns, bad windows', () => {
    const bars = syntheticBars(41, 50);
    const swapped = sliceBars(bars, 0);
    [swapped.date[10], swapped.date[11]] = [swapped.date[11], swapped.date[10]];
    expect(() => computeFeatures(swapped, null, SPEC_OPTS)).toThrow(`dates not strictly ascending at row 11 (${bars.date[10]} after ${bars.date[11]})`);
    const ragged = { ...bars, volume: bars.volume.subarray(1) };
    expect(() => computeFeatures(ragged, null, SPEC_OPTS)).toThrow('column volume has 49 rows but date has 50');
    expect(() => computeFeatures(bars, null, { ...SPEC_OPTS, realized_vol: [1] })).toThrow('features.realized_vol: window 1');
  });
});
