import { describe, expect, test } from '@jest/globals';
import { applyPortfolioRules } from '../../../lib/market/risk/portfolio-rules.js';
import { targetDollar, targetWeights } from '../../../lib/market/risk/sizing.js';

const f = (...x: number[]) => Float64Array.from(x);
const opts = { target_vol: 0.15, max_weight: 0.1, min_vol: 0.05 };

describe('targetWeights: alpha * target_vol / realized_vol, clamped', () => {
  test('inside the clamp the weight is alpha * target_vol / vol', () => {
    const w = targetWeights(f(0.2, -0.5), f(0.6, 1.5), opts);
    expect(w[0]).toBeCloseTo((0.2 * 0.15) / 0.6, 15);
    expect(w[1]).toBeCloseTo((-0.5 * 0.15) / 1.5, 15);
  });
  test('large weights are clamped to ±max_weight', () => {
    expect(Array.from(targetWeights(f(1, -1), f(0.2, 0.2), opts))).toEqual([0.1, -0.1]);
  });
  test('zero, tiny or NaN vol and NaN alpha give finite weights', () => {
    const w = targetWeights(f(0.01, 0.01, 1, NaN, 0.5, -0.01), f(0, 1e-300, NaN, 0.2, -1, 0), opts);
    for (const x of w) expect(Number.isFinite(x)).toBe(true);
    expect(w[0]).toBeCloseTo((0.01 * 0.15) / 0.05, 15); // vol floored at min_vol
    expect(w[1]).toBeCloseTo((0.01 * 0.15) / 0.05, 15);
    expect(w[2]).toBe(0); // NaN vol
    expect(w[3]).toBe(0); // NaN alpha
    expect(w[4]).toBe(0.1);
    expect(w[5]).toBeCloseTo((-0.01 * 0.15) / 0.05, 15);
  });
  test('a non-positive min_vol is rejected', () => {
    expect(() => targetWeights(f(1), f(1), { ...opts, min_vol: 0 })).toThrow(/min_vol/);
  });
  test('targetDollar scales weights by capital', () => {
    expect(Array.from(targetDollar(f(0.1, -0.05), 1e6))).toEqual([100000, -50000]);
  });
});

describe('applyPortfolioRules', () => {
  test('gross above max_gross scales all weights of that day by max_gross / gross', () => {
    const [a, b, c] = applyPortfolioRules([f(0.5, 0.2), f(-0.5, 0.1), f(0.5, NaN)], { max_gross: 1, long_only: false });
    // day 0: gross 1.5 -> factor 1 / 1.5; day 1: gross 0.3 -> unchanged, NaN -> 0
    expect(a[0]).toBeCloseTo(0.5 / 1.5, 15);
    expect(b[0]).toBeCloseTo(-0.5 / 1.5, 15);
    expect(c[0]).toBeCloseTo(0.5 / 1.5, 15);
    expect([a[1], b[1], c[1]]).toEqual([0.2, 0.1, 0]);
  });
  test('long_only zeroes negative weights before the gross check', () => {
    const [a, b] = applyPortfolioRules([f(0.8, -0.2), f(-0.5, 0.3)], { max_gross: 0.4, long_only: true });
    // day 0: [0.8, 0] gross 0.8 -> x0.5; day 1: [0, 0.3] within 0.4
    expect([a[0], b[0], a[1], b[1]]).toEqual([0.4, 0, 0, 0.3]);
  });
  test('inputs are not modified', () => {
    const w = f(2, -2);
    applyPortfolioRules([w], { max_gross: 1, long_only: true });
    expect(Array.from(w)).toEqual([2, -2]);
  });
});
