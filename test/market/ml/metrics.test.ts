import { describe, expect, test } from '@jest/globals';
import { accuracy, classPrior, logLoss, priorLogLoss } from '../../../lib/market/ml/metrics.js';

const P = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.5, 0.5, 0]);

describe('classification metrics on hand-worked examples', () => {
  test('log loss is the mean negative log probability of the true class', () => {
    // rows: true 0 (p 0.7), true 2 (p 0.1), true 1 (p 0.5)
    const expected = -(Math.log(0.7) + Math.log(0.1) + Math.log(0.5)) / 3; // 1.11747
    expect(logLoss(P, Int32Array.from([0, 2, 1]), 3)).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(1.11747, 5);
  });

  test('a zero probability is clipped at 1e-15 instead of giving infinity', () => {
    expect(logLoss(P, Int32Array.from([0, 1, 2]), 3)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(1e-15)) / 3, 12);
  });

  test('accuracy counts argmax hits, ties going to the first class', () => {
    expect(accuracy(P, Int32Array.from([0, 2, 0]), 3)).toBeCloseTo(2 / 3, 15);
    expect(accuracy(P, Int32Array.from([0, 1, 1]), 3)).toBeCloseTo(2 / 3, 15);
  });

  test('the prior baseline predicts training class frequencies', () => {
    const trainY = Int32Array.from([0, 0, 1, 2]);
    expect(Array.from(classPrior(trainY, 3))).toEqual([0.5, 0.25, 0.25]);
    // test labels 0 and 1: -(ln 0.5 + ln 0.25) / 2 = 1.5 ln 2
    expect(priorLogLoss(trainY, Int32Array.from([0, 1]), 3)).toBeCloseTo(1.5 * Math.LN2, 14);
  });

  test('shape and label errors name the problem', () => {
    expect(() => logLoss(P, Int32Array.from([0, 1]), 3)).toThrow('expected 2 rows x 3 classes');
    expect(() => accuracy(P, Int32Array.from([0, 1, 3]), 3)).toThrow('class id 3 at row 2');
  });
});
