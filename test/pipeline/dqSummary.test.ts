import { describe, expect, test } from '@jest/globals';
import { dqSummaryLines } from '../../lib/pipeline/dqSummary.js';
import { finding, type DqReport } from '../../lib/market/data/dq.js';

const report = (ticker: string, findings: DqReport['findings'], rows = 100): DqReport => ({ ticker, file: `raw/${ticker}.csv`, rows_in: rows, rows_out: rows, dropped: 0, findings });
const dq = (t: string) => `artifacts/processed/${t}.dq.json`;

describe('dqSummaryLines (issue 11, rule 5)', () => {
  test('zero-volume rows group into stretches of adjacent lines, and the longest is named', () => {
    // lines 10, 11, 12 | 20 | 30, 31: 3 stretches, the longest 3 rows
    // (findings come sorted by line, as in dq.json)
    const zv = [[10, '2020-01-01'], [11, '2020-01-02'], [12, '2020-01-03'], [20, '2020-01-13'], [30, '2020-02-04'], [31, '2020-02-03']].map(([l, d]) => finding(l as number, d as string, 'zero_volume', 'zero volume'));
    expect(dqSummaryLines([report('X', zv)], null, dq)).toEqual(['X: zero volume on 6 row(s) in 3 stretch(es), the longest 3 row(s) from 2020-01-01 to 2020-01-03']);
  });

  test('price jumps are counted and the first is quoted, with its dq file', () => {
    const j = [finding(7, '2020-01-09', 'price_jump', 'close 100 -> 51 (-49.0%) since ...'), finding(9, '2020-01-13', 'price_jump', 'close 51 -> 200 (+292.2%) since ...')];
    expect(dqSummaryLines([report('Z', j)], null, dq)).toEqual(['Z: 2 price jump(s), the first on 2020-01-09: close 100 -> 51 (-49.0%) since ... (artifacts/processed/Z.dq.json)']);
  });

  test('a stretch of a newest-first file is named oldest date first', () => {
    const zv = [[40, '2020-03-04'], [41, '2020-03-03'], [42, '2020-03-02']].map(([l, d]) => finding(l as number, d as string, 'zero_volume', 'zero volume'));
    expect(dqSummaryLines([report('Y', zv)], null, dq)).toEqual(['Y: zero volume on 3 row(s) in 1 stretch(es), the longest 3 row(s) from 2020-03-02 to 2020-03-04']);
  });

  test('a clean report and tickers with a P&L say nothing; a P&L of exactly 0 is a ticker that held no position', () => {
    const backtest = { start_date: '2020-01-02', end_date: '2020-12-31', pnl_by_ticker: { A: 12.5, B: -3, C: 0, D: null } };
    expect(dqSummaryLines([report('A', []), report('C', [], 15)], backtest, dq)).toEqual([
      'C: held no position between 2020-01-02 and 2020-12-31 (its backtest P&L is exactly 0); it has 15 bars: too little history for the feature windows and models, or no alpha?',
    ]);
  });

  test('bad rows dropped name the count, the first line and the report file', () => {
    const bad = [finding(9, '2015-06-02', 'non_numeric', "open 'n/a' is not a number"), finding(29, '2015-06-30', 'non_numeric', "open 'n/a' is not a number")];
    expect(dqSummaryLines([report('N', bad, 1416)], null, dq)).toEqual([
      "N: 2 bad row(s) of 1416 dropped, first on line 9: open 'n/a' is not a number (artifacts/processed/N.dq.json)",
    ]);
  });
});
