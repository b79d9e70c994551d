/**
 * The regime HMM's per-feature emission weights (HmmFitOptions.weights; the pipeline weights the
 * trailing realised volatility by 1/vol_window, see regimeObservationWeights): filtering uses
 * density^weight per feature, checked by brute force over state paths; unit weights are the
 * plain HMM bit for bit; EM's reported log-likelihood is the weighted one of its parameters.
 */
import { describe, expect, test } from '@jest/globals';
import { filterProbs, fitHmm, regimeObservationWeights } from '../../lib/market/regime/index.js';
import type { HmmModel } from '../../lib/market/regime/types.js';
import { uniform } from './l46-support.js';
import { bruteForceFilter } from '../market/regime/bruteForce.js';

const MODEL: HmmModel = {
  k: 2,
  dims: 2,
  means: [
    [0.4, -1],
    [-0.2, 0.5],
  ],
  vars: [
    [0.7, 0.4],
    [1.6, 0.2],
  ],
  trans: [
    [0.9, 0.1],
    [0.3, 0.7],
  ],
  init: [0.55, 0.45],
  logLik: 0,
  iterations: 0,
  labels: ['bull', 'bear'],
  weights: [1, 0.25],
};
const OBS = [Float64Array.from([0.8, -0.4, 1.1, -1.3, 0.2]), Float64Array.from([-0.6, 0.3, -1.1, 0.7, 0.1])];

describe('HMM emission weights', () => {
  test('the forward filter with weights equals brute force over state paths', () => {
    const got = filterProbs(MODEL, OBS);
    const want = bruteForceFilter(MODEL, OBS);
    for (let t = 0; t < 5; t++) for (let s = 0; s < 2; s++) expect(got.probs[s][t]).toBeCloseTo(want.filtered[t][s], 12);
    expect(got.logLik).toBeCloseTo(want.logLik, 10);
    // and the weight matters: without it the answer differs
    const plain = filterProbs({ ...MODEL, weights: undefined }, OBS);
    expect(Math.abs(plain.probs[0][4] - got.probs[0][4])).toBeGreaterThan(1e-3);
  });

  test('unit weights fit exactly the plain HMM; a weighted fit reports its weighted log-likelihood', () => {
    const u = uniform(5);
    const n = 600;
    const obs = [new Float64Array(n), new Float64Array(n)];
    let state = 0;
    for (let t = 0; t < n; t++) {
      if (u() < 0.03) state = 1 - state;
      const g = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
      obs[0][t] = (state ? 0.02 : 0.007) * g;
      obs[1][t] = (state ? -3.9 : -5) + 0.3 * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    }
    const options = { k: 2, seed: 3, restarts: 2, tol: 1e-8, maxIter: 100 };
    const plain = fitHmm(obs, options);
    const ones = fitHmm(obs, { ...options, weights: [1, 1] });
    const { weights, ...rest } = ones;
    expect(weights).toEqual([1, 1]);
    expect(rest).toEqual(plain);

    const w = regimeObservationWeights({ vol_window: 20 });
    expect(w).toEqual([1, 1 / 20]);
    const fit = fitHmm(obs, { ...options, weights: w });
    expect(fit.weights).toEqual(w);
    expect(filterProbs(fit, obs).logLik).toBeCloseTo(fit.logLik, 6);
    expect(() => fitHmm(obs, { ...options, weights: [1] })).toThrow('weights must be 2 positive numbers');
  });
});
