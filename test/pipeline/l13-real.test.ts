/**
 * Layers 1-2 on the real files in ../shared/data/market (NVDA, ORCL, YHOO in the Yahoo layout;
 * SPX, the benchmark, lower-case with `adjclose`), through the real pipeline with the committed
 * config/real-market.yaml (only paths.raw made absolute, since the test runs in a temp folder):
 * they load with no manual step, get only the dividend adjustment, and every feature equals a
 * brute-force window computation to 1e-9. Skipped, with a warning, when the folder is absent.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dagIn, makeWorkdir, REPO, SHARED_MARKET } from '../support/pipeline.js';
import { bruteFeatures, mismatches, readParquet, readRawCsv, type Read } from './l13-support.js';

const present = ['NVDA', 'ORCL', 'YHOO', 'SPX'].every((t) => existsSync(join(SHARED_MARKET, `${t}.csv`)));
if (!present) console.warn(`l13-real: ${SHARED_MARKET} is absent: the real-data tests are skipped`);
const maybe = present ? test : test.skip;

const real = parse(readFileSync(join(REPO, 'config/real-market.yaml'), 'utf8')) as Record<string, any>;
const TICKERS = ['NVDA', 'ORCL', 'YHOO', 'SPX'];

let dir: string;
const processed: Record<string, Read> = {};
const features: Record<string, Read> = {};

beforeAll(async () => {
  if (!present) return;
  dir = makeWorkdir({ ...real, paths: { ...real.paths, raw: `${SHARED_MARKET}/{ticker}.csv` } });
  const r = dagIn(dir, ['run', 'features']);
  if (r.code !== 0) throw new Error(`dag run features failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  for (const t of TICKERS) {
    processed[t] = await readParquet(join(dir, `artifacts/processed/${t}.parquet`));
    features[t] = await readParquet(join(dir, `artifacts/features/${t}.parquet`));
  }
});

describe('real market files (../shared/data/market)', () => {
  test('config/real-market.yaml names the four files, the SPX benchmark and csv input', () => {
    expect(real.tickers).toEqual(TICKERS);
    expect(real.benchmark).toBe('SPX');
    expect(real.data.source).toBe('csv');
    expect(real.paths.raw).toBe('../shared/data/market/{ticker}.csv');
    expect([real.backtest.start_date, real.backtest.end_date]).toEqual(['2004-01-01', '2014-12-31']);
  });

  maybe('every row loads as it is, and the only adjustment is the dividend one (processed close = Adj Close)', () => {
    for (const t of TICKERS) {
      const raw = readRawCsv(join(SHARED_MARKET, `${t}.csv`));
      const p = processed[t]!;
      expect(p.date).toEqual(raw.date);
      const dq = JSON.parse(readFileSync(join(dir, `artifacts/processed/${t}.dq.json`), 'utf8'));
      expect([dq.rows_in, dq.rows_out, dq.dropped]).toEqual([raw.date.length, raw.date.length, 0]);
      expect(p.cols.close).toEqual(raw.col.adjclose);
      expect(p.cols.raw_close).toEqual(raw.col.close);
      const factor = p.cols.adj_factor as number[];
      let worst = 0;
      for (let i = 0; i < factor.length; i++) worst = Math.max(worst, Math.abs(factor[i]! - raw.col.adjclose![i]! / raw.col.close![i]!));
      expect(worst).toBeLessThanOrEqual(1e-15);
      // split-adjusted already: the factor never steps by a split's size, only by dividends
      let maxStep = 0;
      for (let i = 1; i < factor.length; i++) maxStep = Math.max(maxStep, Math.abs(Math.log(factor[i]! / factor[i - 1]!)));
      expect(maxStep).toBeLessThan(0.05);
    }
    expect(new Set(processed.SPX!.cols.adj_factor)).toEqual(new Set([1]));
    expect(new Set(processed.YHOO!.cols.adj_factor)).toEqual(new Set([1]));
    // NVDA paid dividends from 2012 (Adj/Close 0.926 at its start), ORCL from 2009
    for (const [t, floor] of [['NVDA', 0.9], ['ORCL', 0.85]] as const) {
      const f = processed[t]!.cols.adj_factor as number[];
      expect(Math.min(...f)).toBeGreaterThan(floor);
      expect(Math.max(...f)).toBeLessThanOrEqual(1);
      expect(Math.min(...f)).toBeLessThan(0.99); // a real dividend adjustment, not all ones
    }
  });

  maybe('every feature equals a brute-force window computation over the processed bars (1e-9)', () => {
    const f = real.features;
    const cfg = { ...f.lookbacks, volume_z: f.volume_z, rs: f.rs };
    const bench = processed.SPX!;
    for (const t of TICKERS) {
      const p = processed[t]!;
      const fx = features[t]!;
      expect(fx.date).toEqual(p.date);
      const expected = bruteFeatures(p.date, p.cols.close as number[], p.cols.volume as number[], bench.date, bench.cols.close as number[], cfg);
      for (const c of Object.keys(expected)) expect(fx.names).toContain(c);
      const bad = Object.keys(expected).flatMap((c) => mismatches(`${t} ${c}`, p.date, fx.cols[c]!, expected[c]!));
      expect(bad).toEqual([]);
    }
    // NVDA starts in 1999, a year before SPX: rs is missing there, present from 60 rows into SPX
    const nv = features.NVDA!;
    const firstBench = nv.date.indexOf(bench.date[0]!);
    expect(firstBench).toBeGreaterThan(200);
    expect(nv.cols.rs_60!.slice(0, firstBench + 60).every((v) => v === null)).toBe(true);
    expect(nv.cols.rs_60![firstBench + 60]).not.toBeNull();
  });
});
