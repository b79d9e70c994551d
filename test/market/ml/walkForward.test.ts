import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { stackTickers, takeRows } from '../../../lib/market/ml/pooled.js';
import { planFolds, planFoldsByDate, pooledFoldRows, type WalkForwardOptions } from '../../../lib/market/ml/walkForward.js';

function isoDays(start: string, n: number, skip: (k: number) => boolean = () => false): string[] {
  const out: string[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  for (let k = 0; out.length < n; k++) {
    if (!skip(k)) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

describe('planFolds', () => {
  test('brute force over many settings: no training label reaches the first prediction row, folds tile the rest', () => {
    const rng = createRng(1);
    const leaks: string[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const horizon = 1 + rng.int(6);
      const o: WalkForwardOptions = {
        window: rng.next() < 0.5 ? 'expanding' : 'rolling',
        window_days: 0,
        refit_every: 1 + rng.int(40),
        min_train: 1 + rng.int(60),
        horizon,
        embargo: horizon + rng.int(4),
      };
      o.window_days = o.min_train + rng.int(50);
      const nRows = rng.int(250);
      const folds = planFolds(nRows, o);
      const first = o.min_train + o.embargo;
      if (nRows <= first) {
        expect(folds).toEqual([]);
        continue;
      }
      expect(folds[0].predictStart).toBe(first);
      expect(folds[folds.length - 1].predictEnd).toBe(nRows);
      for (let k = 0; k < folds.length; k++) {
        const fd = folds[k];
        if (k > 0) expect(fd.predictStart).toBe(folds[k - 1].predictEnd);
        expect(fd.predictEnd - fd.predictStart).toBeLessThanOrEqual(o.refit_every);
        expect(fd.predictEnd).toBeGreaterThan(fd.predictStart);
        // Every training row's label (close at i + horizon) is known strictly before predictStart.
        for (let i = fd.trainStart; i < fd.trainEnd; i++) {
          if (!(i + horizon <= fd.predictStart - 1)) leaks.push(`trial ${trial}: row ${i} + ${horizon} >= ${fd.predictStart}`);
        }
        // ... and the embargo is no larger than asked: the next row would be inside it.
        expect(fd.trainEnd + o.embargo).toBe(fd.predictStart);
        expect(fd.trainEnd - fd.trainStart).toBeGreaterThanOrEqual(o.min_train);
        if (o.window === 'expanding') expect(fd.trainStart).toBe(0);
        else expect(fd.trainEnd - fd.trainStart).toBe(Math.min(o.window_days, fd.trainEnd));
      }
    }
    expect(leaks).toEqual([]);
  });

  test('a hand example: expanding, min_train 5, horizon 2, embargo 2, refit every 3 on 14 rows', () => {
    const o: WalkForwardOptions = { window: 'expanding', window_days: 0, refit_every: 3, min_train: 5, horizon: 2, embargo: 2 };
    expect(planFolds(14, o)).toEqual([
      { trainStart: 0, trainEnd: 5, predictStart: 7, predictEnd: 10 },
      { trainStart: 0, trainEnd: 8, predictStart: 10, predictEnd: 13 },
      { trainStart: 0, trainEnd: 11, predictStart: 13, predictEnd: 14 },
    ]);
  });

  test('an embargo shorter than the horizon is refused', () => {
    const o: WalkForwardOptions = { window: 'rolling', window_days: 10, refit_every: 3, min_train: 5, horizon: 3, embargo: 2 };
    expect(() => planFolds(50, o)).toThrow('embargo (2) must be >= horizon (3)');
  });
});

describe('pooled (global) folds by date', () => {
  test('all tickers share fold dates and no training label ends on or after the first prediction date', () => {
    const h = 3;
    // AAA trades every day; BBB misses every 4th day, so its h-row labels can reach further.
    const aDates = isoDays('2024-01-01', 80);
    const bDates = isoDays('2024-01-01', 60, (k) => k % 4 === 3);
    const mk = (ticker: string, dates: string[], base: number) => {
      const n = dates.length;
      return {
        ticker,
        X: Float64Array.from({ length: n * 2 }, (_, k) => base + k),
        y: Int32Array.from({ length: n }, (_, i) => i % 3),
        dates,
        labelEndDates: dates.map((_, i) => (i + h < n ? dates[i + h] : '')),
      };
    };
    const pooled = stackTickers([mk('AAA', aDates, 0), mk('BBB', bDates, 1000)], 2);
    expect(pooled.n).toBe(140);
    for (let k = 1; k < pooled.n; k++) expect(pooled.dates[k] >= pooled.dates[k - 1]).toBe(true);
    const o: WalkForwardOptions = { window: 'expanding', window_days: 0, refit_every: 10, min_train: 20, horizon: h, embargo: h };
    const folds = planFoldsByDate(pooled.dates, o);
    expect(folds.length).toBe(Math.ceil((80 - 23) / 10));
    expect(folds[0].predictFirst).toBe(aDates[23]);

    let excludedByLabel = 0;
    const predicted = new Set<number>();
    for (const fd of folds) {
      const { train, predict } = pooledFoldRows(pooled.dates, pooled.labelEndDates, fd);
      for (const r of train) {
        expect(pooled.labelEndDates[r] < fd.predictFirst).toBe(true);
        expect(pooled.dates[r] >= fd.trainFirst && pooled.dates[r] <= fd.trainLast).toBe(true);
      }
      // Brute force: a row in the date window is left out only because of its label end date.
      for (let r = 0; r < pooled.n; r++) {
        const inWindow = pooled.dates[r] >= fd.trainFirst && pooled.dates[r] <= fd.trainLast;
        if (inWindow && !train.includes(r)) {
          expect(pooled.labelEndDates[r] === '' || pooled.labelEndDates[r] >= fd.predictFirst).toBe(true);
          excludedByLabel++;
        }
      }
      for (const r of predict) {
        expect(predicted.has(r)).toBe(false);
        predicted.add(r);
      }
      // Both tickers are predicted in a fold whose dates they trade on.
      const tickers = new Set(Array.from(predict, (r) => pooled.tickerIndex[r]));
      if (fd.predictLast <= bDates[bDates.length - 1]) expect(tickers.size).toBe(2);
    }
    expect(excludedByLabel).toBeGreaterThan(0); // BBB's gaps put some labels past the embargo
    // Every row dated on or after the first prediction date is predicted exactly once.
    const expectedPredicted = pooled.dates.filter((d) => d >= folds[0].predictFirst).length;
    expect(predicted.size).toBe(expectedPredicted);
    const sub = takeRows(pooled.X, 2, Int32Array.from([1, 0]));
    expect(Array.from(sub)).toEqual([...pooled.X.subarray(2, 4), ...pooled.X.subarray(0, 2)]);
  });
});
