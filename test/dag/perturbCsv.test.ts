import { describe, expect, test } from '@jest/globals';
import { perturbCsv } from '../../lib/dag/audit.js';

describe('perturbCsv: the look-ahead audit changes every row after the cutoff, and only those', () => {
  const rows = ['2024-01-02,10,11,9,10,1000', '2024-01-03,10,11,9,10,1000', '2024-01-04,10,11,9,10,1000', '2024-01-05,10,11,9,10,1000'];
  const iso = `Date,Open,High,Low,Close,Volume\n${rows.join('\n')}\n`;

  test('plain dates: the rows of Jan 4 and 5 move, the others are untouched', () => {
    const out = perturbCsv(iso, '2024-01-03', 7).split('\n');
    expect(out.slice(0, 3)).toEqual(iso.split('\n').slice(0, 3));
    expect(out[3]).not.toBe(iso.split('\n')[3]);
    expect(out[4]).not.toBe(iso.split('\n')[4]);
  });

  test('midnight timestamps are dated by their date part: the same rows move by the same factors', () => {
    const stamped = iso.replace(/^(\d{4}-\d{2}-\d{2}),/gm, '$1 00:00:00-05:00,');
    const a = perturbCsv(iso, '2024-01-03', 7).split('\n');
    const b = perturbCsv(stamped, '2024-01-03', 7).split('\n');
    // before this fix no timestamped row was perturbed, and the audit passed without checking
    expect(b.map((l) => l.replace(' 00:00:00-05:00', ''))).toEqual(a);
  });
});

test("perturbCsv dates yfinance's files (the date column is named on the third line)", () => {
  const yf = 'Price,Close,High,Low,Open,Volume\nTicker,X,X,X,X,X\nDate,,,,,\n2024-01-02,10,11,9,10,1000\n2024-01-05,10,11,9,10,1000\n';
  const out = perturbCsv(yf, '2024-01-03', 7).split('\n');
  expect(out.slice(0, 4)).toEqual(yf.split('\n').slice(0, 4));
  expect(out[4]).not.toBe(yf.split('\n')[4]);
});
