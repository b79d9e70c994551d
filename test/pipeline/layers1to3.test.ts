/**
 * Layers 1-3 through the real pipeline (`dag run signals` on the embedded sample market, SMALL
 * window): processed bars, features and signals checked against independent computations —
 * parquet read back by DuckDB, raw CSVs read naively, every feature recomputed by a brute-force
 * window loop (test/pipeline/l13-support.ts) — and the split adjustment of the sample's raw files.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { join } from 'node:path';
import { dagIn, makeWorkdir, readSettings, SMALL } from '../support/pipeline.js';
import { bruteFeatures, bruteLabels, bruteSignals, mismatches, readParquet, readRawCsv, type Read, type SignalConfig } from './l13-support.js';

// Non-default signal settings, so the test also shows the config reaches the formulas.
const SIGNALS: SignalConfig = {
  trend: { windows: [20, 200], vol_window: 60, scale: 2 },
  mean_reversion: { window: 20, scale: 1.5 },
  vol: { short_window: 10, long_window: 20, scale: 0.7 },
  rel_strength: { window: 60, vol_window: 20, scale: 0.8 },
};

let dir: string;
let settings: Record<string, any>;
let tickers: string[];
let benchmark: string;
const processed: Record<string, Read> = {};
const features: Record<string, Read> = {};
const signals: Record<string, Read> = {};

beforeAll(async () => {
  dir = makeWorkdir({ ...SMALL, signals: SIGNALS });
  const r = dagIn(dir, ['run', 'signals']);
  if (r.code !== 0) throw new Error(`dag run signals failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  settings = readSettings(dir);
  tickers = settings.tickers;
  benchmark = settings.benchmark;
  for (const t of tickers) {
    processed[t] = await readParquet(join(dir, `artifacts/processed/${t}.parquet`));
    features[t] = await readParquet(join(dir, `artifacts/features/${t}.parquet`));
    signals[t] = await readParquet(join(dir, `artifacts/signals/${t}.parquet`));
  }
});

describe('sample market through dag run signals', () => {
  test('processed bars: unique ascending dates, the ticker column, and close = the raw file\'s Adj Close', () => {
    for (const t of tickers) {
      const p = processed[t]!;
      const raw = readRawCsv(join(dir, `data/raw/${t}_raw.csv`));
      expect(p.names.slice(0, 2)).toEqual(['date', 'ticker']);
      for (let i = 1; i < p.date.length; i++) expect(p.date[i - 1]! < p.date[i]!).toBe(true);
      expect(p.date).toEqual(raw.date);
      const bad: string[] = [];
      for (let i = 0; i < raw.date.length; i++) {
        const f = raw.col.adjclose![i]! / raw.col.close![i]!;
        const expectRow: Record<string, number> = {
          close: raw.col.adjclose![i]!,
          raw_close: raw.col.close![i]!,
          adj_factor: f,
          open: raw.col.open![i]! * f,
          high: raw.col.high![i]! * f,
          low: raw.col.low![i]! * f,
          volume: raw.col.volume![i]! / f,
        };
        for (const [c, e] of Object.entries(expectRow)) {
          const a = p.cols[c]![i]!;
          if (!(Math.abs(a - e) <= 1e-12 * Math.abs(e)) && bad.length < 5) bad.push(`${t} ${c} @ ${raw.date[i]}: ${a} vs ${e}`);
        }
      }
      expect(bad).toEqual([]);
    }
  });

  test('every feature equals a brute-force window computation over the processed bars (1e-9), warm-up rows null', () => {
    const f = settings.features;
    const cfg = { ...f.lookbacks, volume_z: f.volume_z, rs: f.rs };
    const bench = processed[benchmark]!;
    for (const t of tickers) {
      const p = processed[t]!;
      const fx = features[t]!;
      expect(fx.date).toEqual(p.date);
      const expected = bruteFeatures(p.date, p.cols.close as number[], p.cols.volume as number[], bench.date, bench.cols.close as number[], cfg);
      const labelNames = settings.ml.horizons.map((h: number) => `target_state_h${h}`);
      // exactly the documented columns, nothing missing and nothing extra
      expect(fx.names.filter((n) => n !== 'date').sort()).toEqual([...Object.keys(expected), ...labelNames].sort());
      const bad = Object.keys(expected).flatMap((c) => mismatches(`${t} ${c}`, p.date, fx.cols[c]!, expected[c]!));
      expect(bad).toEqual([]);
      // the warm-up of the longest SMA is null, then the values start
      const longest = Math.max(...cfg.sma);
      expect(fx.cols[`sma_${longest}`]!.slice(0, longest - 1).every((v) => v === null)).toBe(true);
      expect(fx.cols[`sma_${longest}`]![longest - 1]).not.toBeNull();
      if (t === benchmark) for (const k of cfg.rs) expect(fx.cols[`rs_${k}`]!.filter((v) => v !== null && v !== 0)).toEqual([]);
    }
  });

  test('ML labels equal the forward-return classification against the trailing-volatility band', () => {
    const { vol_window, threshold } = settings.labels;
    for (const t of tickers) {
      const close = processed[t]!.cols.close as number[];
      for (const h of settings.ml.horizons as number[]) {
        const { label, edge } = bruteLabels(close, h, vol_window, threshold);
        const actual = features[t]!.cols[`target_state_h${h}`]!;
        const bad = label.flatMap((e, i) => (edge.has(i) || actual[i] === e ? [] : [`${t} h${h} @ ${processed[t]!.date[i]}: got ${actual[i]}, expected ${e}`]));
        expect(bad.slice(0, 5)).toEqual([]);
        expect(actual.slice(-h).every((v) => v === null)).toBe(true);
        // all three classes occur
        expect(new Set(actual.filter((v) => v !== null))).toEqual(new Set([0, 1, 2]));
      }
    }
  });

  test('signals equal their documented formulas applied to the feature columns, all in [-1, 1]', () => {
    for (const t of tickers) {
      const s = signals[t]!;
      expect(s.date).toEqual(features[t]!.date);
      expect(s.names).toEqual(['date', 'trend_alpha', 'mean_reversion_alpha', 'vol_alpha', 'rel_strength_alpha']);
      const expected = bruteSignals(features[t]!.cols, SIGNALS);
      const bad = Object.keys(expected).flatMap((c) => mismatches(`${t} ${c}`, s.date, s.cols[c]!, expected[c]!));
      expect(bad).toEqual([]);
      for (const c of Object.keys(expected)) {
        const vals = s.cols[c]!.filter((v): v is number => v !== null);
        expect(vals.length).toBeGreaterThan(s.date.length / 2);
        expect(vals.every((v) => v >= -1 && v <= 1)).toBe(true);
        // warm-up rows are null, not 0
        expect(s.cols[c]![0]).toBeNull();
      }
    }
  });

  test('a split makes the raw (unadjusted) Close jump while the processed close moves only as the market did', () => {
    let splits = 0;
    for (const t of tickers.filter((x) => x !== benchmark)) {
      const raw = readRawCsv(join(dir, `data/raw/${t}_raw.csv`));
      const close = processed[t]!.cols.close as number[];
      const c = raw.col.close!;
      const a = raw.col.adjclose!;
      let found = 0;
      for (let i = 1; i < c.length; i++) {
        // A k:1 split: the adjustment factor Adj Close / Close steps up k-fold in one day.
        const step = a[i]! / c[i]! / (a[i - 1]! / c[i - 1]!);
        if (step < 1.5) continue;
        found++;
        const rawMove = Math.abs(Math.log(c[i]! / c[i - 1]!));
        const adjMove = Math.abs(Math.log(close[i]! / close[i - 1]!));
        // the raw close falls by about the split ratio (ln 2 ~ 0.69 at least) ...
        expect(rawMove).toBeGreaterThan(Math.log(step) - 0.25);
        // ... the adjusted close does not: no day-on-day move of the split's size
        expect(adjMove).toBeLessThan(Math.log(step) / 3);
        // and no processed day anywhere moves by the split's size
        const maxMove = Math.max(...close.slice(1).map((v, j) => Math.abs(Math.log(v / close[j]!))));
        expect(maxMove).toBeLessThan(Math.log(step) * 0.75);
      }
      expect(found).toBeGreaterThanOrEqual(1);
      splits += found;
      // dividends: the factor also steps, by a small amount, at least quarterly
      const divSteps = c.slice(1).filter((_, j) => {
        const step = a[j + 1]! / c[j + 1]! / (a[j]! / c[j]!);
        return step > 1 + 1e-5 && step < 1.1;
      }).length;
      expect(divSteps).toBeGreaterThanOrEqual(Math.floor(c.length / 63) - 1);
    }
    expect(splits).toBeGreaterThanOrEqual(tickers.length - 1);
  });
});
