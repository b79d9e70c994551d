import { describe, expect, test } from '@jest/globals';
import { ruleRegimes } from '../../../lib/market/regime/rules.js';

// Closes built from chosen log returns, so every quantity below is worked out by hand.
const RETURNS = [0.01, 0.01, 0.03, -0.01, 0.0, 0.002, 0.05, 0.01, -0.02, 0.015];
const close = Float64Array.from([0, ...RETURNS].map((_, t) => 100 * Math.exp(RETURNS.slice(0, t).reduce((a, b) => a + b, 0))));
const OPTIONS = { sma: 3, vol_window: 2, vol_percentile: 0.5, percentile_window: 3 };

describe('ruleRegimes, hand-worked example', () => {
  // vol_t = |r_t - r_{t-1}| / sqrt 2 (sample std of two values); in units of 1/sqrt 2:
  //   t:   2    3    4    5    6     7     8    9    10
  //   vol: 0  .02  .04  .01  .002  .048  .04  .03  .035
  // threshold_t = median of vol_{t-3..t-1}, so the first defined row is t = 5.
  //   t=5: median(0,.02,.04)=.02     vol .01  -> close e^.04 < sma(e^.05,e^.04,e^.04)  -> neutral
  //   t=6: median(.02,.04,.01)=.02   vol .002 -> close e^.042 > sma(e^.04,e^.04,e^.042) -> bull
  //   t=7: median(.04,.01,.002)=.01  vol .048 -> bear
  //   t=8: median(.01,.002,.048)=.01 vol .04  -> bear
  //   t=9: median(.002,.048,.04)=.04 vol .03  -> close e^.082 < sma(e^.092,e^.102,e^.082) -> neutral
  //   t=10: median(.048,.04,.03)=.04 vol .035 -> close e^.097 > sma(e^.102,e^.082,e^.097) -> bull
  const { names, probs, labels } = ruleRegimes(close, OPTIONS);

  test('labels', () => {
    expect(names).toEqual(['bull', 'neutral', 'bear']);
    expect(labels).toEqual(['', '', '', '', '', 'neutral', 'bull', 'bear', 'bear', 'neutral', 'bull']);
  });

  test('probabilities are one-hot on the label and NaN in warm-up', () => {
    expect(Array.from(probs[0])).toEqual([NaN, NaN, NaN, NaN, NaN, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(probs[1])).toEqual([NaN, NaN, NaN, NaN, NaN, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(probs[2])).toEqual([NaN, NaN, NaN, NaN, NaN, 0, 0, 1, 1, 0, 0]);
  });

  test('the threshold uses past volatility only', () => {
    // With today's vol in its own window, t=8 would compare .04 with median(.002,.048,.04)=.04: not bear.
    expect(labels[8]).toBe('bear');
  });

  test('a missing close blanks every row whose windows include it', () => {
    const gap = close.slice();
    gap[6] = NaN;
    const out = ruleRegimes(gap, OPTIONS).labels;
    expect(out.slice(0, 6)).toEqual(['', '', '', '', '', 'neutral']);
    expect(out.slice(6)).toEqual(['', '', '', '', '']); // returns 6, 7 are NaN, so vols 6..8 and their thresholds
  });

  test('bad options are rejected', () => {
    expect(() => ruleRegimes(close, { ...OPTIONS, vol_percentile: 1.5 })).toThrow(/vol_percentile must be in \(0, 1\)/);
  });
});
