import { describe, expect, test } from '@jest/globals';
import { computeLabels, FORWARD_LOOKING_COLUMNS } from '../../../lib/market/features/labels.js';

// Closes built from chosen daily log returns so sigma_daily works out by hand.
const r = [NaN, 0.01, -0.01, 0.02, 0.0, -0.03, 0.01];
const close = new Float64Array(r.length);
close[0] = 100;
for (let t = 1; t < r.length; t++) close[t] = close[t - 1] * Math.exp(r[t]);

describe('target_state labels: a hand-worked example', () => {
  // vol_window 2, sample std of (r[t-1], r[t]) = |r[t] - r[t-1]| / sqrt(2):
  //   t=2: 0.0141  t=3: 0.0212  t=4: 0.0141  t=5: 0.0212  t=6: 0.0283
  // h=1, threshold 1: forward return exp(r[t+1]) - 1 against ±sigma(t):
  //   t=2: +0.0202 > 0.0141 up | t=3: 0 flat | t=4: -0.0296 < -0.0141 down | t=5: +0.0101 < 0.0212 flat
  // h=2: band sigma(t)*sqrt(2) = 0.02, 0.03, 0.02; forward returns +0.0202 up, -0.0296 flat, -0.0198 flat.
  const labels = computeLabels(close, { horizons: [2, 1], vol_window: 2, threshold: 1 });

  test('classes match the hand computation; NaN in vol warm-up and the last h rows', () => {
    expect(Array.from(labels.target_state_h1)).toEqual([NaN, NaN, 2, 1, 0, 1, NaN]);
    expect(Array.from(labels.target_state_h2)).toEqual([NaN, NaN, 2, 1, 1, NaN, NaN]);
  });

  test('a return exactly on the band edge is flat (threshold 0, zero return)', () => {
    const l = computeLabels(close, { horizons: [1], vol_window: 2, threshold: 0 });
    expect(Array.from(l.target_state_h1)).toEqual([NaN, NaN, 2, 1, 0, 2, NaN]);
  });

  test('FORWARD_LOOKING_COLUMNS names exactly the label columns, sorted', () => {
    expect(FORWARD_LOOKING_COLUMNS([5, 1, 3])).toEqual(['target_state_h1', 'target_state_h3', 'target_state_h5']);
    expect(Object.keys(labels).sort()).toEqual(FORWARD_LOOKING_COLUMNS([1, 2]));
  });

  test('bad options are rejected', () => {
    expect(() => computeLabels(close, { horizons: [0], vol_window: 2, threshold: 1 })).toThrow('horizon 0');
    expect(() => computeLabels(close, { horizons: [1], vol_window: 1, threshold: 1 })).toThrow('vol_window');
  });
});
