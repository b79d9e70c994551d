import { describe, expect, test } from '@jest/globals';
import { stackTickers, type TickerRows } from '../../../lib/market/ml/pooled.js';

/** Tickers with random date subsets of one calendar, rows tagged so every value says where it came from. */
function randomParts(seed: number, tickers: number, days: number): TickerRows[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const calendar = Array.from({ length: days }, (_, k) => new Date(Date.UTC(2020, 0, 1) + k * 86_400_000).toISOString().slice(0, 10));
  return Array.from({ length: tickers }, (_, t) => {
    const dates = calendar.filter(() => rnd() < 0.7);
    return {
      ticker: `T${t}`,
      dates,
      X: Float64Array.from({ length: dates.length * 2 }, (_, j) => t * 1e6 + j),
      y: Int32Array.from(dates, (_, i) => (t + i) % 3),
      labelEndDates: dates.map((d) => `${d}#${t}`),
    };
  });
}

describe('pooled rows', () => {
  test('rows are ordered by date, then by ticker order, as a plain stable sort orders them', () => {
    for (const seed of [1, 7, 42]) {
      const parts = randomParts(seed, 6, 40);
      const pooled = stackTickers(parts, 2);
      // the oracle: every (ticker, row) pair, stable-sorted by date
      const pairs = parts.flatMap((p, t) => p.dates.map((d, i) => ({ t, i, d })));
      pairs.sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
      expect(pooled.n).toBe(pairs.length);
      pairs.forEach(({ t, i, d }, k) => {
        expect([pooled.tickerIndex[k], pooled.sourceRow[k], pooled.dates[k]]).toEqual([t, i, d]);
        expect(pooled.y[k]).toBe(parts[t].y[i]);
        expect(pooled.labelEndDates[k]).toBe(parts[t].labelEndDates[i]);
        expect(Array.from(pooled.X.subarray(2 * k, 2 * k + 2))).toEqual(Array.from(parts[t].X.subarray(2 * i, 2 * i + 2)));
      });
    }
  });

  test('a ticker whose dates are not ascending is refused, naming it', () => {
    const parts = randomParts(3, 2, 10);
    parts[1].dates = [...parts[1].dates].reverse();
    expect(() => stackTickers(parts, 2)).toThrow(/ticker T1: dates not strictly ascending/);
  });
});
