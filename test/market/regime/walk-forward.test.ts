import { describe, expect, test } from '@jest/globals';
import { filterProbs } from '../../../lib/market/regime/filter.js';
import { fitHmm } from '../../../lib/market/regime/fit.js';
import { walkForwardRegimes, type WalkForwardOptions } from '../../../lib/market/regime/walk-forward.js';
import { SEPARATED, sampleHmm } from './synthetic.js';

const T = 420;
const WARMUP = 10;
const dates = Array.from({ length: T }, (_, t) => new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10));
const { obs: raw, states } = sampleHmm(SEPARATED, T, 2);
const obs = raw.map((c) => c.map((v, t) => (t < WARMUP ? NaN : v)));
const OPTIONS: WalkForwardOptions = {
  k: 3,
  seed: 1,
  restarts: 2,
  tol: 1e-6,
  maxIter: 60,
  refit_every: 50,
  min_train: 150,
  window: 'expanding',
  window_days: 0,
};
// Valid rows start at WARMUP, so the first fit uses rows 10..159 and is used from row 160.
const FIRST = WARMUP + 150;

describe('walkForwardRegimes', () => {
  const wf = walkForwardRegimes(dates, obs, OPTIONS);

  test('nothing before the first fit; refits every refit_every rows, each trained strictly before use', () => {
    for (let t = 0; t < FIRST; t++) {
      expect(Number.isNaN(wf.probs[0][t])).toBe(true);
      expect(wf.labels[t]).toBe('');
    }
    expect(wf.fits.map((f) => f.fit_date)).toEqual([160, 210, 260, 310, 360, 410].map((t) => dates[t]));
    for (const f of wf.fits) {
      expect(f.train_start).toBe(dates[WARMUP]);
      expect(f.train_end < f.fit_date).toBe(true);
    }
    expect(wf.labels.slice(FIRST).every((l) => ['bull', 'neutral', 'bear'].includes(l))).toBe(true);
  });

  test('each fit is the model fitted on the rows before its refit row, warm-started from the previous fit', () => {
    const r = 260;
    const own = fitHmm(obs.map((c) => c.subarray(0, r)), { ...OPTIONS, starts: [wf.fits[1].model] });
    expect(JSON.stringify(wf.fits[2].model)).toBe(JSON.stringify(own));
    const cold = walkForwardRegimes(dates, obs, { ...OPTIONS, warm_start: false });
    const alone = fitHmm(obs.map((c) => c.subarray(0, r)), OPTIONS);
    expect(JSON.stringify(cold.fits[2].model)).toBe(JSON.stringify(alone));
  });

  test('between refits the filter continues from the training-period state', () => {
    const model = wf.fits[1].model;
    const oneGo = filterProbs(model, obs.map((c) => c.subarray(0, 260))).probs;
    for (let t = 210; t < 260; t++) expect(wf.probs[2][t]).toBe(oneGo[2][t]);
    expect(wf.state).toEqual(filterProbs(wf.fits[5].model, obs).state);
  });

  test('labels follow the true regimes through refits (no label flips)', () => {
    // SEPARATED's states are numbered bull, neutral, bear, so no relabelling is allowed here:
    // a refit that flipped names would fail its segment.
    const name = ['bull', 'neutral', 'bear'];
    const agreement = (from: number, to: number) =>
      states.slice(from, to).filter((s, i) => wf.labels[from + i] === name[s]).length / (to - from);
    expect(agreement(FIRST, T)).toBeGreaterThanOrEqual(0.8);
    for (const r of [160, 210, 260, 310, 360, 410]) expect(agreement(r, Math.min(T, r + 50))).toBeGreaterThanOrEqual(0.7);
  });

  for (const window of ['expanding', 'rolling'] as const) {
    test(`no look-ahead (${window}): changing rows after t leaves probabilities up to t unchanged`, () => {
      const options = { ...OPTIONS, window, window_days: 180 };
      const base = walkForwardRegimes(dates, obs, options);
      for (const t of [260, 287]) {
        const changed = obs.map((c, f) => c.map((v, u) => (u > t ? v * (f === 0 ? -3 : 1) + 0.5 : v)));
        const after = walkForwardRegimes(dates, changed, options);
        for (let s = 0; s < 3; s++) {
          expect(Array.from(after.probs[s].subarray(0, t + 1))).toEqual(Array.from(base.probs[s].subarray(0, t + 1)));
        }
        // The change is visible after t, so the comparison above is not vacuous.
        expect(after.probs[0][t + 1]).not.toBe(base.probs[0][t + 1]);
      }
    });
  }

  test('a rolling window trains on the last window_days rows', () => {
    const wfRolling = walkForwardRegimes(dates, obs, { ...OPTIONS, window: 'rolling', window_days: 180 });
    expect(wfRolling.fits[3].train_start).toBe(dates[310 - 180]);
    expect(wfRolling.fits[3].train_end).toBe(dates[309]);
  });

  test('bad options are rejected', () => {
    expect(() => walkForwardRegimes(dates.slice(1), obs, OPTIONS)).toThrow(/419 dates but obs has 420 rows/);
    expect(() => walkForwardRegimes(dates, obs, { ...OPTIONS, window: 'rolling', window_days: 100 })).toThrow(
      /window_days \(100\) must be an integer >= min_train \(150\)/,
    );
  });
});
