import { describe, expect, test } from '@jest/globals';
import { normalCdf, normalQuantile } from '../../../lib/market/overfitting/normal.js';
import { deflatedSharpe, deflatedSharpeFrom, expectedMaxSharpe } from '../../../lib/market/overfitting/dsr.js';
import { pboCscv } from '../../../lib/market/overfitting/pbo.js';
import { mulberry32 } from '../../support/random.js';

/** Box-Muller normals from the test's own seeded uniform generator. */
function normals(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  const u = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/** Plain mean / sample-std Sharpe of a list (independent of lib/market/overfitting/moments). */
function sharpeOfList(x: number[]): number {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
  return sd > 0 ? m / sd : 0;
}

function* choose(k: number, from: number[]): Generator<number[]> {
  if (k === 0) { yield []; return; }
  for (let i = 0; i <= from.length - k; i++) for (const rest of choose(k - 1, from.slice(i + 1))) yield [from[i], ...rest];
}

/** Brute-force CSCV: concatenate the blocks of each half, Sharpe by definition, rank by sorting. */
function bruteForcePbo(returns: Float64Array[], s: number): { pbo: number; logits: number[] } {
  const t = returns[0].length;
  const block = Math.floor(t / s);
  const skip = t - block * s;
  const rowsOf = (blocks: number[]) => blocks.flatMap((b) => Array.from({ length: block }, (_, i) => skip + b * block + i));
  const all = Array.from({ length: s }, (_, i) => i);
  const logits: number[] = [];
  for (const trainBlocks of choose(s / 2, all)) {
    const testBlocks = all.filter((b) => !trainBlocks.includes(b));
    const tr = returns.map((r) => sharpeOfList(rowsOf(trainBlocks).map((i) => r[i])));
    const te = returns.map((r) => sharpeOfList(rowsOf(testBlocks).map((i) => r[i])));
    const best = tr.indexOf(Math.max(...tr));
    const sorted = [...te].sort((a, b) => a - b);
    const first = sorted.indexOf(te[best]) + 1;
    const last = sorted.lastIndexOf(te[best]) + 1;
    const w = (first + last) / 2 / (returns.length + 1);
    logits.push(Math.log(w / (1 - w)));
  }
  return { pbo: logits.filter((l) => l <= 0).length / logits.length, logits };
}

describe('normal distribution helpers', () => {
  test('quantiles match published table values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
  });
});

describe('Deflated Sharpe Ratio', () => {
  // Bailey and López de Prado (2014), numerical example: 100 trials, best annualised SR 2.5 over
  // T = 1250 daily returns, variance of the trials' annualised SRs 0.5, skewness -3, kurtosis 10:
  // SR0 = 0.1132 per day and DSR = 0.9004.
  test("reproduces the paper's numerical example", () => {
    const sr0 = expectedMaxSharpe(0.5 / 250, 100);
    expect(sr0).toBeCloseTo(0.1132, 4);
    expect(deflatedSharpeFrom(2.5 / Math.sqrt(250), sr0, 1250, -3, 10)).toBeCloseTo(0.9004, 3);
  });

  test('one trial cannot be deflated', () => {
    expect(() => deflatedSharpe([new Float64Array(10)])).toThrow(/at least 2 trials/);
  });
});

describe('Probability of Backtest Overfitting (CSCV)', () => {
  test('hand-worked: two variants that swap places between halves overfit every time', () => {
    // S = 2: train on block 0 / test on block 1 and the reverse. A wins block 0, B block 1.
    const a = Float64Array.from([0.02, 0.01, 0.03, -0.01, 0.0, -0.02]);
    const b = Float64Array.from([-0.01, 0.0, -0.02, 0.02, 0.01, 0.03]);
    const r = pboCscv([a, b], 2);
    expect(r.combinations).toBe(2);
    // the in-sample best ranks 1 of 2 out of sample: ω = 1/3, λ = ln(1/2)
    for (const l of r.logits) expect(l).toBeCloseTo(Math.log(0.5), 12);
    expect(r.pbo).toBe(1);
  });

  test('hand-worked: a variant better in both halves never overfits', () => {
    const a = Float64Array.from([0.02, 0.01, 0.03, 0.02, 0.01, 0.03]);
    const b = Float64Array.from([-0.01, 0.0, -0.02, -0.01, 0.0, -0.02]);
    const r = pboCscv([a, b], 2);
    // best ranks 2 of 2: ω = 2/3, λ = ln 2
    for (const l of r.logits) expect(l).toBeCloseTo(Math.log(2), 12);
    expect(r.pbo).toBe(0);
  });

  test('matches a brute-force CSCV over every split (ties, a dropped first row)', () => {
    const returns = Array.from({ length: 7 }, (_, v) => normals(100 + v, 8 * 25 + 3, 0.0002 * v, 0.01));
    returns.push(new Float64Array(203)); // a flat variant: Sharpe 0 everywhere, ties
    const fast = pboCscv(returns, 8);
    const slow = bruteForcePbo(returns, 8);
    expect(fast.combinations).toBe(70);
    expect(fast.rows).toBe(200);
    expect(fast.pbo).toBe(slow.pbo);
    // the same multiset of logits (the two enumerate the splits in different orders)
    const sortedSlow = [...slow.logits].sort((a, b) => a - b);
    Array.from(fast.logits).sort((a, b) => a - b).forEach((l, i) => expect(l).toBeCloseTo(sortedSlow[i], 9));
  });

  test('bad arguments are errors', () => {
    const r = [normals(1, 40), normals(2, 40)];
    expect(() => pboCscv(r, 3)).toThrow(/even integer/);
    expect(() => pboCscv([r[0]], 4)).toThrow(/at least 2 variants/);
    expect(() => pboCscv([r[0], normals(3, 39)], 4)).toThrow(/variant 1 has 39 returns/);
    expect(() => pboCscv(r, 24)).toThrow(/cannot be cut/);
  });
});

describe('diagnostics on constructed variants', () => {
  const T = 1600;
  test('pure noise: PBO near 0.5 and the best variant deflates to a low DSR', () => {
    const returns = Array.from({ length: 30 }, (_, v) => normals(1000 + v, T, 0, 0.01));
    const pbo = pboCscv(returns, 16);
    expect(pbo.combinations).toBe(12870);
    expect(pbo.pbo).toBeGreaterThan(0.3);
    expect(pbo.pbo).toBeLessThan(0.7);
    expect(deflatedSharpe(returns).dsr).toBeLessThan(0.95);
  });

  test('pure noise: over many universes the best variant is rarely significant', () => {
    const dsrs = Array.from({ length: 20 }, (_, u) => deflatedSharpe(Array.from({ length: 30 }, (_, v) => normals(5000 + 100 * u + v, T, 0, 0.01))).dsr);
    const significant = dsrs.filter((d) => d > 0.95).length;
    expect(significant).toBeLessThanOrEqual(2);
    expect(dsrs.reduce((a, b) => a + b, 0) / dsrs.length).toBeLessThan(0.6);
  });

  test('one real edge among noise: PBO low and DSR high', () => {
    const returns = Array.from({ length: 30 }, (_, v) => normals(2000 + v, T, 0, 0.01));
    // daily Sharpe 0.15 (about 2.4 a year)
    returns[17] = normals(2017, T, 0.0015, 0.01);
    const pbo = pboCscv(returns, 16);
    expect(pbo.pbo).toBeLessThan(0.05);
    const d = deflatedSharpe(returns);
    expect(d.best).toBe(17);
    expect(d.dsr).toBeGreaterThan(0.95);
  });
});
