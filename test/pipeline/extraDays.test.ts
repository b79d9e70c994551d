import { describe, expect, test } from '@jest/globals';
import { withExtraDays } from '../../lib/pipeline/dailyHooks.js';

describe('withExtraDays: --extend edits one number of the settings file', () => {
  test('only the value changes: comments, their alignment, flow lists and number spellings stay', () => {
    const text = 'data:\n  source: sample          # generated\n  sample:\n    seed: 42\n    extra_days: 0   # days past end_date\nfeatures: { sma: [10, 20] }\nmin_vol: 1.0e-6\n';
    expect(withExtraDays(text, 12)).toBe(text.replace('extra_days: 0 ', 'extra_days: 12 '));
  });

  test('a flow mapping too', () => {
    expect(withExtraDays('data:\n  sample: {seed: 1, extra_days: 7}\n', 8)).toBe('data:\n  sample: {seed: 1, extra_days: 8}\n');
  });

  test('without the key it is added under data.sample', () => {
    expect(withExtraDays('data:\n  source: sample\n', 3)).toBe('data:\n  source: sample\n  sample:\n    extra_days: 3\n');
  });
});
