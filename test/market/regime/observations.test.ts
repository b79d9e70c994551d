import { describe, expect, test } from '@jest/globals';
import { sampleStandardDeviation } from 'simple-statistics';
import { createRng } from '../../../lib/core/rng.js';
import { regimeObservations } from '../../../lib/market/regime/observations.js';

describe('regimeObservations', () => {
  const rng = createRng(3);
  const close = new Float64Array(600);
  close[0] = 50;
  for (let t = 1; t < 600; t++) close[t] = close[t - 1] * Math.exp(0.02 * rng.normal());
  const [ret, logVol] = regimeObservations(close, { vol_window: 20 });

  test('feature 0 is the daily log return, NaN on the first row', () => {
    expect(Number.isNaN(ret[0])).toBe(true);
    expect(ret[7]).toBeCloseTo(Math.log(close[7] / close[6]), 15);
  });

  test('feature 1 is log of the sample std of the last vol_window returns (simple-statistics)', () => {
    for (let t = 0; t < 20; t++) expect(Number.isNaN(logVol[t])).toBe(true);
    for (let t = 20; t < 600; t++) {
      const expected = Math.log(sampleStandardDeviation(Array.from(ret.subarray(t - 19, t + 1))));
      expect(Math.abs(logVol[t] - expected)).toBeLessThan(1e-9);
    }
  });

  test('a missing close makes the windows that contain its returns NaN', () => {
    const gap = close.slice();
    gap[100] = NaN;
    const [r, v] = regimeObservations(gap, { vol_window: 20 });
    expect(Number.isNaN(r[100]) && Number.isNaN(r[101])).toBe(true);
    expect(v.subarray(100, 121).every(Number.isNaN)).toBe(true);
    expect(Math.abs(v[121] - logVol[121])).toBeLessThan(1e-9);
  });
});
