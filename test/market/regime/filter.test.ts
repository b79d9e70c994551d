import { describe, expect, test } from '@jest/globals';
import { filterProbs } from '../../../lib/market/regime/filter.js';
import type { HmmModel } from '../../../lib/market/regime/types.js';
import { THREE_STATES, sampleHmm } from './synthetic.js';
import { bruteForceFilter } from './bruteForce.js';

const TINY: HmmModel = {
  k: 2,
  dims: 2,
  means: [
    [0.5, -1],
    [-0.3, 0.4],
  ],
  vars: [
    [0.8, 0.5],
    [1.5, 0.3],
  ],
  trans: [
    [0.85, 0.15],
    [0.25, 0.75],
  ],
  init: [0.6, 0.4],
  logLik: 0,
  iterations: 0,
  labels: ['bull', 'bear'],
};

const TINY_OBS = [Float64Array.from([0.9, -0.2, 1.4, -1.1, 0.3, -0.6]), Float64Array.from([-0.7, 0.1, -1.2, 0.6, 0.2, 0.5])];

describe('filterProbs is the forward filter', () => {
  test('matches enumeration of all 2^6 state paths to 1e-12', () => {
    const { probs, state, logLik } = filterProbs(TINY, TINY_OBS);
    const truth = bruteForceFilter(TINY, TINY_OBS);
    for (let t = 0; t < 6; t++) {
      for (let s = 0; s < 2; s++) expect(Math.abs(probs[s][t] - truth.filtered[t][s])).toBeLessThan(1e-12);
    }
    expect(Math.abs(state![0] - truth.filtered[5][0])).toBeLessThan(1e-12);
    expect(Math.abs(logLik - truth.logLik)).toBeLessThan(1e-12);
  });

  test('continuing from a stored state uses state x trans as the first prior', () => {
    const from = [0.3, 0.7];
    const prior = [0, 1].map((j) => from[0] * TINY.trans[0][j] + from[1] * TINY.trans[1][j]);
    const { probs } = filterProbs(TINY, TINY_OBS, from);
    const truth = bruteForceFilter(TINY, TINY_OBS, prior);
    for (let t = 0; t < 6; t++) expect(Math.abs(probs[0][t] - truth.filtered[t][0])).toBeLessThan(1e-12);
  });

  test('a probability depends only on rows up to its own (filtered, not smoothed)', () => {
    const changed = TINY_OBS.map((c) => c.slice());
    changed[0][4] = 5;
    changed[1][5] = -3;
    const a = filterProbs(TINY, TINY_OBS).probs;
    const b = filterProbs(TINY, changed).probs;
    expect(Array.from(b[0].subarray(0, 4))).toEqual(Array.from(a[0].subarray(0, 4)));
    expect(b[0][4]).not.toBe(a[0][4]);
  });

  test('a NaN row gives NaN probabilities and leaves the state as if the row did not exist', () => {
    const withGap = TINY_OBS.map((c) => Float64Array.from([NaN, ...c.subarray(0, 3), NaN, ...c.subarray(3)]));
    const { probs, state } = filterProbs(TINY, withGap);
    const plain = filterProbs(TINY, TINY_OBS);
    expect(Number.isNaN(probs[0][0]) && Number.isNaN(probs[1][4])).toBe(true);
    expect([...probs[0].subarray(1, 4), ...probs[0].subarray(5)]).toEqual(Array.from(plain.probs[0]));
    expect(state).toEqual(plain.state);
    expect(filterProbs(TINY, withGap.map((c) => c.subarray(0, 1))).state).toBeNull();
  });
});

describe('filtering in two pieces equals filtering in one go, bit for bit', () => {
  const model: HmmModel = {
    k: 3,
    dims: 2,
    means: THREE_STATES.means,
    vars: THREE_STATES.sds.map((r) => r.map((s) => s * s)),
    trans: THREE_STATES.trans,
    init: [0.2, 0.5, 0.3],
    logLik: 0,
    iterations: 0,
    labels: ['bull', 'neutral', 'bear'],
  };
  const { obs } = sampleHmm(THREE_STATES, 60, 11);
  for (let t = 0; t < 5; t++) obs[1][t] = NaN; // warm-up
  obs[0][30] = NaN; // a missing day in the middle

  test('for every split point m, including warm-up rows and the NaN row', () => {
    const whole = filterProbs(model, obs);
    for (let m = 0; m <= 60; m++) {
      const head = filterProbs(model, obs.map((c) => c.subarray(0, m)));
      const tail = filterProbs(model, obs.map((c) => c.subarray(m)), head.state);
      for (let s = 0; s < 3; s++) {
        expect([...head.probs[s], ...tail.probs[s]]).toEqual(Array.from(whole.probs[s]));
      }
      expect(tail.state).toEqual(whole.state);
    }
  });
});
