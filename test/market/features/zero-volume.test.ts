import { describe, expect, test } from '@jest/globals';
import { logDollarVolume } from '../../../lib/market/features/volume.js';

describe('log_dollar_volume_20 over a stretch without volume (issue 11, rule 5)', () => {
  test('a 20-day window of zero volume has no log dollar volume: NaN, never -Infinity', () => {
    // 25 days of $1,000 traded, then 25 days of nothing (a halted stock)
    const dv = Float64Array.from({ length: 50 }, (_, t) => (t < 25 ? 1000 : 0));
    const out = logDollarVolume(dv);
    // by hand: day 30's window (days 11..30) holds 14 days of 1000 -> mean 700; days 44.. hold none
    expect(out[30]).toBeCloseTo(Math.log(700), 12);
    expect(out[43]).toBeCloseTo(Math.log(50), 12);
    for (let t = 44; t < 50; t++) expect(out[t]).toBeNaN();
    expect(Array.from(out).some((v) => v === -Infinity)).toBe(false);
  });
});
