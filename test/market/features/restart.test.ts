import { describe, expect, test } from '@jest/globals';
import { computeFeatures } from '../../../lib/market/features/compute.js';
import { maxLookback } from '../../../lib/market/features/options.js';
import { computeSignals, DEFAULT_SIGNAL_OPTIONS } from '../../../lib/market/signals/compute.js';
import type { Bars, Frame } from '../../../lib/market/types.js';
import { HAS_MARKET, SPEC_OPTS, expectBitEqual, readMarketCsv, sliceBars, syntheticBars } from './fixtures.js';

/** Features + signals of the suffix starting `lookback` rows before `cut`, aligned back to full rows. */
function fromSuffix(bars: Bars, bench: Bars, cut: number, lookback: number): { f: Frame; s: Frame; start: number } {
  const start = cut - lookback;
  // The benchmark is cut at the same date, as an incremental run would load it.
  const b0 = bench.date.findIndex((d) => d >= bars.date[start]);
  const f = computeFeatures(sliceBars(bars, start), sliceBars(bench, b0 < 0 ? bench.date.length : b0), SPEC_OPTS);
  return { f, s: computeSignals(f, DEFAULT_SIGNAL_OPTIONS), start };
}

function expectSameFrom(full: Frame, part: Frame, cut: number, start: number): void {
  for (const [name, col] of Object.entries(full.columns)) expectBitEqual(col, part.columns[name], cut, col.length, name, -start);
}

function firstDifferingColumn(full: Frame, part: Frame, cut: number, start: number): string | undefined {
  return Object.keys(full.columns).find((k) => !Object.is(full.columns[k][cut], part.columns[k][cut - start]));
}

function checkRestarts(bars: Bars, bench: Bars, cuts: number[]): void {
  const L = maxLookback(SPEC_OPTS);
  const f = computeFeatures(bars, bench, SPEC_OPTS);
  const s = computeSignals(f, DEFAULT_SIGNAL_OPTIONS);
  for (const cut of cuts) {
    const p = fromSuffix(bars, bench, cut, L);
    expectSameFrom(f, p.f, cut, p.start);
    expectSameFrom(s, p.s, cut, p.start);
    // One row less of history is not enough: maxLookback is tight.
    const q = fromSuffix(bars, bench, cut, L - 1);
    expect(firstDifferingColumn(f, q.f, cut, q.start)).toBeDefined();
  }
}

describe('incremental restart: recomputing from maxLookback rows before a cut reproduces every row >= cut bit for bit', () => {
  test('maxLookback of the spec options is the 200-day SMA window', () => {
    expect(maxLookback(SPEC_OPTS)).toBe(199);
    expect(maxLookback({ sma: [5], returns: [3], realized_vol: [60], volume_z: 20, rs: [90] })).toBe(90);
  });

  test('synthetic bars, several cuts', () => {
    checkRestarts(syntheticBars(61, 1500), syntheticBars(62, 1500), [199, 200, 555, 1234, 1499]);
  });

  test('real NVDA against SPX, several cuts', () => {
    if (!HAS_MARKET) return console.warn('skipped: no real market data');
    const bars = readMarketCsv('NVDA.csv');
    const bench = readMarketCsv('SPX.csv');
    checkRestarts(bars, bench, [1000, 2777, bars.date.length - 1]);
  });
});
