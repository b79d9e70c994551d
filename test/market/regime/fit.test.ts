import { describe, expect, test } from '@jest/globals';
import { baumWelch } from '../../../lib/market/regime/em.js';
import { filterProbs } from '../../../lib/market/regime/filter.js';
import { fitHmm } from '../../../lib/market/regime/fit.js';
import { initialParams, varianceFloors } from '../../../lib/market/regime/init.js';
import { orderStates } from '../../../lib/market/regime/order.js';
import type { HmmModel } from '../../../lib/market/regime/types.js';
import { THREE_STATES, argmaxAt, bestAgreement, sampleHmm } from './synthetic.js';

const OPTIONS = { k: 3, seed: 5, restarts: 2, tol: 1e-6, maxIter: 100 };
const { obs, states } = sampleHmm(THREE_STATES, 1000, 2024);

describe('fitHmm recovers a known 3-state HMM', () => {
  const model = fitHmm(obs, OPTIONS);

  test('filtered argmax agrees with the true states on >= 80% of days', () => {
    const { probs } = filterProbs(model, obs);
    const guess = states.map((_, t) => argmaxAt(probs, t));
    expect(bestAgreement(states, guess, 3)).toBeGreaterThanOrEqual(0.8);
  });

  test('state 0 is the state with the highest mean return in the sample, and so on down', () => {
    // Rank the true states by their sample mean return: that is the order the engine promises.
    const sampleMean = [0, 1, 2].map((s) => {
      const days = states.flatMap((x, t) => (x === s ? [obs[0][t]] : []));
      return days.reduce((a, b) => a + b, 0) / days.length;
    });
    const rankOf = [0, 1, 2].sort((a, b) => sampleMean[b] - sampleMean[a]);
    const ranked = states.map((s) => rankOf.indexOf(s));
    const { probs } = filterProbs(model, obs);
    const hits = ranked.filter((s, t) => argmaxAt(probs, t) === s).length;
    expect(hits / ranked.length).toBeGreaterThanOrEqual(0.8);
    expect(model.labels).toEqual(['bull', 'neutral', 'bear']);
  });

  test('logLik is the forward log-likelihood of the returned parameters', () => {
    expect(Math.abs(filterProbs(model, obs).logLik - model.logLik)).toBeLessThan(1e-9 * Math.abs(model.logLik));
  });

  test('EM never decreases the log-likelihood, from every restart start', () => {
    const floors = varianceFloors(obs, 1e-3);
    for (let r = 0; r < 2; r++) {
      const em = baumWelch(obs, initialParams(obs, 3, 5, r, floors), { tol: 0, maxIter: 60, floors });
      expect(em.history.length).toBeGreaterThan(5);
      for (let i = 1; i < em.history.length; i++) {
        expect(em.history[i]).toBeGreaterThanOrEqual(em.history[i - 1] - 1e-9 * Math.abs(em.history[i - 1]));
      }
    }
  });

  test('the winner is the restart with the best log-likelihood', () => {
    const floors = varianceFloors(obs, 1e-3);
    const scores = [0, 1].map(
      (r) => baumWelch(obs, initialParams(obs, 3, OPTIONS.seed, r, floors), { ...OPTIONS, floors }).logLik,
    );
    expect(model.logLik).toBe(Math.max(...scores));
  });
});

describe('determinism and serialisation', () => {
  test('the same data and seed give identical model JSON', () => {
    const a = fitHmm(obs, { ...OPTIONS, maxIter: 15 });
    const b = fitHmm(obs, { ...OPTIONS, maxIter: 15 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  test('warm-up NaN rows are ignored by the fit', () => {
    const padded = obs.map((c) => Float64Array.from([NaN, NaN, ...c]));
    padded[0][1] = 0.01; // a row with only one feature missing is skipped too
    expect(JSON.stringify(fitHmm(padded, { ...OPTIONS, maxIter: 15 }))).toBe(
      JSON.stringify(fitHmm(obs, { ...OPTIONS, maxIter: 15 })),
    );
  });

  test('bad input is rejected with a message naming the problem', () => {
    expect(() => fitHmm(obs, { ...OPTIONS, k: 0 })).toThrow(/k must be a positive integer/);
    expect(() => fitHmm([obs[0], obs[1].subarray(1)], OPTIONS)).toThrow(/feature 1 has length 999/);
    expect(() => fitHmm(obs.map((c) => c.subarray(0, 5)), OPTIONS)).toThrow(/5 rows without NaN/);
  });
});

describe('orderStates', () => {
  const base: HmmModel = {
    k: 3,
    dims: 2,
    means: [
      [-0.002, -3.6],
      [0.001, -4.8],
      [0.001, -4.3],
    ],
    vars: [
      [4e-4, 0.04],
      [9e-5, 0.02],
      [3.6e-5, 0.02],
    ],
    trans: [
      [0.9, 0.06, 0.04],
      [0.01, 0.95, 0.04],
      [0.05, 0.15, 0.8],
    ],
    init: [0.5, 0.3, 0.2],
    logLik: -1,
    iterations: 2,
    labels: ['s0', 's1', 's2'],
  };
  // By hand: means of feature 0 descending, the tie between old states 1 and 2 broken by the
  // smaller variance (old state 2 first): new order = old [2, 1, 0].
  const ordered = orderStates(base);

  test('sorts by mean return descending, ties by volatility ascending, and renames', () => {
    expect(ordered.means).toEqual([base.means[2], base.means[1], base.means[0]]);
    expect(ordered.init).toEqual([0.2, 0.3, 0.5]);
    expect(ordered.trans[0]).toEqual([0.8, 0.15, 0.05]);
    expect(ordered.trans[2]).toEqual([0.04, 0.06, 0.9]);
    expect(ordered.labels).toEqual(['bull', 'neutral', 'bear']);
  });

  test('relabelling does not change what the filter says', () => {
    const { obs: sample } = sampleHmm(THREE_STATES, 40, 3);
    const a = filterProbs(base, sample).probs;
    const b = filterProbs(ordered, sample).probs;
    for (let t = 0; t < 40; t++) {
      [2, 1, 0].forEach((old, s) => expect(Math.abs(b[s][t] - a[old][t])).toBeLessThan(1e-12));
    }
  });

  test("order 'volatility' sorts by return variance ascending, where 'return' would differ", () => {
    const model: HmmModel = {
      k: 3,
      dims: 1,
      means: [[0.0005], [-0.0004], [-0.0003]],
      vars: [[1e-5], [1e-4], [4e-4]],
      trans: [
        [0.9, 0.05, 0.05],
        [0.1, 0.8, 0.1],
        [0.2, 0.2, 0.6],
      ],
      init: [0.2, 0.3, 0.5],
      logLik: 0,
      iterations: 0,
      labels: [],
    };
    expect(orderStates(model, 'return').means).toEqual([[0.0005], [-0.0003], [-0.0004]]);
    const byVol = orderStates(model, 'volatility');
    expect(byVol.vars).toEqual([[1e-5], [1e-4], [4e-4]]);
    expect(byVol.trans).toEqual(model.trans);
    expect(byVol.labels).toEqual(['bull', 'neutral', 'bear']);
  });
});
