/** Test fixtures shared by the feature and signal suites: real CSVs (when present) and synthetic bars. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import type { Bars, Frame } from '../../../lib/market/types.js';
import type { FeatureOptions } from '../../../lib/market/features/options.js';

export const MARKET_DIR = path.resolve(process.cwd(), '../shared/data/market');
export const HAS_MARKET = fs.existsSync(MARKET_DIR);
if (!HAS_MARKET) console.warn(`real market data not found at ${MARKET_DIR}: real-data tests are skipped`);

/** The spec's lookbacks plus rs horizons. */
export const SPEC_OPTS: FeatureOptions = { sma: [10, 20, 50, 200], returns: [1, 5, 20], realized_vol: [10, 20, 60], volume_z: 20, rs: [20, 60] };

/** Tiny Yahoo-layout reader (the project's parser lives elsewhere): OHLC scaled by AdjClose/Close. */
export function readMarketCsv(file: string): Bars {
  const lines = fs.readFileSync(path.join(MARKET_DIR, file), 'utf8').trim().split(/\r?\n/);
  const head = lines[0].split(',').map((h) => h.trim().toLowerCase().replace(/\s+/g, ''));
  const col = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name}`);
    return i;
  };
  const [iD, iO, iH, iL, iC, iA, iV] = ['date', 'open', 'high', 'low', 'close', 'adjclose', 'volume'].map(col);
  const n = lines.length - 1;
  const bars: Bars = {
    date: [], open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n),
    volume: new Float64Array(n), raw_close: new Float64Array(n), adj_factor: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    const f = lines[r + 1].split(',');
    const raw = Number(f[iC]);
    const k = Number(f[iA]) / raw;
    bars.date.push(f[iD]);
    bars.open[r] = Number(f[iO]) * k;
    bars.high[r] = Number(f[iH]) * k;
    bars.low[r] = Number(f[iL]) * k;
    bars.close[r] = Number(f[iA]);
    bars.volume[r] = Number(f[iV]);
    bars.raw_close[r] = raw;
    bars.adj_factor[r] = k;
  }
  return bars;
}

/** n consecutive weekdays from 2000-01-03. */
export function weekdays(n: number, from = '2000-01-03'): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); out.length < n; d += 86400000) {
    const day = new Date(d).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

/** A fat-tailed random walk with lognormal volumes; `start` overrides the first close. */
export function syntheticBars(seed: number, n: number, dates = weekdays(n), start?: number): Bars {
  const rng = createRng(seed);
  let p = start ?? 20 + 200 * rng.next();
  const b: Bars = {
    date: dates.slice(0, n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n),
    volume: new Float64Array(n), raw_close: new Float64Array(n), adj_factor: new Float64Array(n).fill(1),
  };
  for (let t = 0; t < n; t++) {
    const o = p;
    p *= Math.exp(0.0003 + 0.02 * rng.studentT(4));
    b.open[t] = o;
    b.close[t] = p;
    b.high[t] = Math.max(o, p) * (1 + 0.01 * rng.next());
    b.low[t] = Math.min(o, p) * (1 - 0.01 * rng.next());
    b.volume[t] = Math.round(2e6 * Math.exp(0.6 * rng.normal()));
    b.raw_close[t] = p;
  }
  return b;
}

/** Rows [from, to) of bars. */
export function sliceBars(b: Bars, from: number, to = b.date.length): Bars {
  return {
    date: b.date.slice(from, to), open: b.open.slice(from, to), high: b.high.slice(from, to), low: b.low.slice(from, to),
    close: b.close.slice(from, to), volume: b.volume.slice(from, to), raw_close: b.raw_close.slice(from, to),
    adj_factor: b.adj_factor.slice(from, to),
  };
}

/** Bars equal to `b` up to row t, then a different random walk (same dates) from b.close[t]. */
export function divergeAfter(b: Bars, t: number, seed: number): Bars {
  const n = b.date.length;
  const alt = syntheticBars(seed, n - t - 1, b.date.slice(t + 1), b.close[t] * 1.37);
  const out = sliceBars(b, 0, n);
  for (const k of ['open', 'high', 'low', 'close', 'volume', 'raw_close', 'adj_factor'] as const) out[k].set(alt[k], t + 1);
  return out;
}

/** Asserts a and b hold the same bits at rows [from, to) (NaN == NaN, 0 != -0). */
export function expectBitEqual(a: Float64Array, b: Float64Array, from: number, to: number, what: string, offsetB = 0): void {
  for (let t = from; t < to; t++) {
    if (!Object.is(a[t], b[t + offsetB])) throw new Error(`${what}: row ${t} differs: ${a[t]} vs ${b[t + offsetB]}`);
  }
}

/** Same NaN positions, and |a-b| <= rel*|b| + abs elsewhere. */
export function expectClose(actual: Float64Array, expected: ArrayLike<number>, what: string, rel = 1e-9, abs = 0): void {
  expect(actual.length).toBe(expected.length);
  let checked = 0;
  for (let t = 0; t < actual.length; t++) {
    const a = actual[t];
    const e = expected[t];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) throw new Error(`${what}: row ${t}: got ${a}, expected ${e}`);
      continue;
    }
    if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs)) throw new Error(`${what}: row ${t}: got ${a}, expected ${e}`);
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
}

/** Index of the first non-NaN value, after asserting there is no NaN after it. */
export function warmup(x: Float64Array, what: string): number {
  let first = x.findIndex((v) => !Number.isNaN(v));
  if (first < 0) first = x.length;
  for (let t = first; t < x.length; t++) if (Number.isNaN(x[t])) throw new Error(`${what}: NaN at row ${t} after warm-up ${first}`);
  return first;
}

export function columnsOf(f: Frame): string[] {
  return Object.keys(f.columns).sort();
}
