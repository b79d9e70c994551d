import { diffRows as diffBars } from '../../lib/dag/incremental/rowChange.js';
import type { Table } from '../../lib/io/table.js';

const bars = (date: string[], close: number[]): Table => ({ length: date.length, columns: { date, close: Float64Array.from(close) } });
const D = ['2025-01-02', '2025-01-03', '2025-01-06', '2025-01-07'];

describe('diffBars: how processed bars changed between two runs', () => {
  test('appended rows: recompute from the first new date', () => {
    expect(diffBars(bars(D.slice(0, 2), [1, 2]), bars(D, [1, 2, 3, 4]))).toEqual({ since: '2025-01-06' });
  });

  test('no change at all', () => {
    expect(diffBars(bars(D, [1, NaN, 3, 4]), bars(D, [1, NaN, 3, 4]))).toEqual({});
  });

  test('a changed value in an existing row is a restatement on that date, even with new rows', () => {
    expect(diffBars(bars(D.slice(0, 3), [1, 2, 3]), bars(D, [1, 2.5, 3, 4]))).toEqual({ restated: '2025-01-03' });
    expect(diffBars(bars(D.slice(0, 3), [1, 2, NaN]), bars(D, [1, 2, 3, 4]))).toEqual({ restated: '2025-01-06' });
  });

  test('the earliest change over all columns wins', () => {
    const before: Table = { length: 4, columns: { date: D, open: Float64Array.from([1, 2, 3, 4]), close: Float64Array.from([1, 2, 3, 4]) } };
    const after: Table = { length: 4, columns: { date: D, open: Float64Array.from([1, 2, 3, 9]), close: Float64Array.from([1, 9, 3, 4]) } };
    expect(diffBars(before, after)).toEqual({ restated: '2025-01-03' });
  });

  test('a removed or inserted date is a restatement at the earlier of the two dates', () => {
    expect(diffBars(bars(D, [1, 2, 3, 4]), bars([D[0], D[2], D[3]], [1, 3, 4]))).toEqual({ restated: '2025-01-03' });
    expect(diffBars(bars([D[0], D[2]], [1, 3]), bars(D.slice(0, 3), [1, 2, 3]))).toEqual({ restated: '2025-01-03' });
  });

  test('fewer rows than before: restated from the first missing date', () => {
    expect(diffBars(bars(D, [1, 2, 3, 4]), bars(D.slice(0, 2), [1, 2]))).toEqual({ restated: '2025-01-06' });
  });

  test('nothing to compare with: full', () => {
    expect(diffBars(null, bars(D, [1, 2, 3, 4]))).toEqual({ full: true });
  });
});
