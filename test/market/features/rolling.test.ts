import { describe, expect, test } from '@jest/globals';
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';
import { createRng } from '../../../lib/core/rng.js';
import { createExactSum, exactAdd, exactAddProduct, exactRound } from '../../../lib/market/features/exact-sum.js';
import { DIRECT_MAX, rollingMean, rollingStd } from '../../../lib/market/features/rolling.js';
import { expectBitEqual, expectClose } from './fixtures.js';

const SCALE = 2 ** 200;
/** Oracle: exact sum in BigInt fixed point, then Number(bigint), which rounds to nearest, ties to even. */
function bigintSum(xs: number[]): number {
  let s = 0n;
  for (const x of xs) s += BigInt(x * SCALE);
  return Number(s) / SCALE;
}

function bruteMean(x: Float64Array, n: number): number[] {
  return Array.from(x, (_, t) => {
    if (t < n - 1) return NaN;
    let s = 0;
    for (let i = t - n + 1; i <= t; i++) s += x[i];
    return s / n;
  });
}

function bruteStd(x: Float64Array, n: number): number[] {
  return Array.from(x, (_, t) => {
    if (t < n - 1) return NaN;
    let s = 0;
    for (let i = t - n + 1; i <= t; i++) s += x[i];
    const m = s / n;
    let q = 0;
    for (let i = t - n + 1; i <= t; i++) q += (x[i] - m) ** 2;
    return Math.sqrt(q / (n - 1));
  });
}

function randomWalk(seed: number, len: number, level = 100): Float64Array {
  const rng = createRng(seed);
  const x = new Float64Array(len);
  let p = level;
  for (let t = 0; t < len; t++) x[t] = p *= Math.exp(0.02 * rng.normal());
  return x;
}

describe('exact sums round correctly', () => {
  test('halfway cases follow round-half-even using the parts below', () => {
    const sum = (xs: number[]) => {
      const s = createExactSum();
      for (const x of xs) exactAdd(s, x);
      return exactRound(s);
    };
    expect(sum([1, 2 ** -53])).toBe(1); // tie -> even
    expect(sum([1, 2 ** -53, 2 ** -106])).toBe(1 + 2 ** -52); // just above the tie
    expect(sum([1 + 2 ** -52, 2 ** -53])).toBe(1 + 2 ** -51); // tie -> even (up)
    expect(sum([1, 2 ** -53, -(2 ** -106)])).toBe(1);
    expect(sum([1e16, 1, -1e16])).toBe(1);
    expect(sum([0.1, 0.2, -0.3])).toBe(bigintSum([0.1, 0.2, -0.3]));
  });

  test('random adds and removes match a BigInt oracle after every step', () => {
    const rng = createRng(7);
    const s = createExactSum();
    const window: number[] = [];
    for (let step = 0; step < 3000; step++) {
      if (window.length > 0 && rng.next() < 0.45) {
        const x = window.splice(rng.int(window.length), 1)[0];
        exactAdd(s, -x);
      } else {
        const x = (rng.next() - 0.5) * 2 ** (rng.int(80) - 40);
        window.push(x);
        exactAdd(s, x);
      }
      expect(exactRound(s)).toBe(bigintSum(window));
    }
  });

  test('exact products: a*b summed exactly', () => {
    const rng = createRng(8);
    for (let i = 0; i < 500; i++) {
      const a = rng.next() * 1000;
      const b = rng.next() * 1000;
      const s = createExactSum();
      exactAddProduct(s, a, b);
      const exact = Number(BigInt(a * 2 ** 60) * BigInt(b * 2 ** 60)) / 2 ** 120;
      expect(exactRound(s)).toBe(exact);
    }
  });
});

describe('rolling mean and sample std', () => {
  const x = randomWalk(1, 1500);
  const windows = [2, 10, 20, 60, DIRECT_MAX, DIRECT_MAX + 1, 200];

  test.each(windows)('window %i equals a brute-force loop and simple-statistics to 1e-9', (n) => {
    const m = rollingMean(x, n);
    const s = rollingStd(x, n);
    expectClose(m, bruteMean(x, n), `mean ${n}`);
    expectClose(s, bruteStd(x, n), `std ${n}`);
    for (let t = n - 1; t < x.length; t += 37) {
      const w = Array.from(x.subarray(t - n + 1, t + 1));
      expect(Math.abs(m[t] - ssMean(w))).toBeLessThanOrEqual(1e-9 * Math.abs(m[t]));
      expect(Math.abs(s[t] - sampleStandardDeviation(w))).toBeLessThanOrEqual(1e-9 * s[t]);
    }
  });

  test('a large level with a small spread keeps full accuracy (no cancellation), both paths', () => {
    const rng = createRng(2);
    const y = Float64Array.from({ length: 600 }, () => 1e7 + rng.normal());
    for (const n of [20, 250]) expectClose(rollingStd(y, n), bruteStd(y, n), `std ${n}`, 1e-8);
  });

  test('a flat window has std exactly 0 (both paths)', () => {
    const y = new Float64Array(400).fill(0.1);
    for (const n of [20, 250]) {
      const s = rollingStd(y, n);
      expect(s[n - 1]).toBe(0);
      expect(s[399]).toBe(0);
      expect(rollingMean(y, n)[399]).toBe(bigintSum(new Array(n).fill(0.1)) / n);
    }
  });

  test('warm-up rows and windows holding a NaN are NaN, with no skipping', () => {
    const y = randomWalk(3, 300);
    y[100] = NaN;
    for (const n of [5, 150]) {
      for (const col of [rollingMean(y, n), rollingStd(y, n)]) {
        for (let t = 0; t < y.length; t++) {
          const expectNaN = t < n - 1 || (t >= 100 && t < 100 + n);
          expect([t, Number.isNaN(col[t])]).toEqual([t, expectNaN]);
        }
      }
    }
  });

  test('values depend only on the window: a pass started at any row gives the same bits', () => {
    const y = randomWalk(4, 1200, 3000);
    for (const n of [20, 200]) {
      const full = [rollingMean(y, n), rollingStd(y, n)];
      for (const start of [1, 17, 333, 901]) {
        const part = [rollingMean(y.subarray(start), n), rollingStd(y.subarray(start), n)];
        for (let k = 0; k < 2; k++) expectBitEqual(full[k], part[k], start + n - 1, y.length, `n=${n} start=${start}`, -start);
      }
    }
  });
});
