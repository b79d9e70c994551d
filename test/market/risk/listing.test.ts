import { describe, expect, test } from '@jest/globals';
import { zeroBeforeHistory } from '../../../lib/market/risk/listing.js';

describe('zeroBeforeHistory: no position before a ticker has enough history for its features', () => {
  test('rows before the first full-window row are 0, later rows untouched', () => {
    expect(Array.from(zeroBeforeHistory(Float64Array.from([0.1, -0.2, 0.3, 0.4]), 0, 2))).toEqual([0, 0, 0.3, 0.4]);
  });

  test('an incremental slice counts rows from its offset in the ticker\'s history', () => {
    // rows 3.. of the history: row 3 and 4 are before row 5
    expect(Array.from(zeroBeforeHistory(Float64Array.from([0.1, 0.2, 0.3, 0.4]), 3, 5))).toEqual([0, 0, 0.3, 0.4]);
    expect(Array.from(zeroBeforeHistory(Float64Array.from([0.1, 0.2]), 10, 5))).toEqual([0.1, 0.2]);
  });

  test('the input is not modified', () => {
    const w = Float64Array.from([1, 1]);
    zeroBeforeHistory(w, 0, 2);
    expect(Array.from(w)).toEqual([1, 1]);
  });
});
