import { describe, test, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRawCsv } from '../../../lib/market/data/parse-raw.js';

const dir = path.resolve(process.cwd(), 'test/fixtures/raw');
const load = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
const parse = (name: string, onBadRows: 'error' | 'drop') =>
  parseRawCsv(load(name), { file: `data/raw/${name}`, ticker: 'TEST', onBadRows, maxDropShare: 1, maxGapDays: 20, onGap: 'error', maxDailyMove: 0.75 });

describe('each broken raw file gives its own clear error', () => {
  test.each([
    ['truncated.csv', 'data/raw/truncated.csv:12: 2021-03-15: TEST: truncated last line: expected 7 fields, found 2'],
    ['text_in_price.csv', "data/raw/text_in_price.csv:6: 2021-03-05: TEST: close 'n/a' is not a number"],
    ['duplicate_dates.csv', 'data/raw/duplicate_dates.csv:7: 2021-03-05: TEST: duplicate date (first on line 6)'],
    ['high_below_low.csv', 'data/raw/high_below_low.csv:5: 2021-03-04: TEST: high 10.2 < low 10.5'],
    ['out_of_order.csv', 'data/raw/out_of_order.csv:8: 2021-03-08: TEST: date out of order: after 2021-03-09 on line 7'],
    ['empty.csv', 'data/raw/empty.csv:1: TEST: empty file: header only, no data rows'],
    ['zero_bytes.csv', 'data/raw/zero_bytes.csv: TEST: 0-byte file: no header and no rows'],
  ])('%s', (name, message) => {
    expect(() => parse(name, 'error')).toThrow(message);
  });

  test('wrong_header.csv names the header found and every expected layout', () => {
    let message = '';
    try {
      parse('wrong_header.csv', 'drop');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("data/raw/wrong_header.csv:1: TEST: unknown header 'Day,Open,High,Low,Last,Volume'");
    for (const h of ['Date,Open,High,Low,Close,Adj Close,Volume', 'date,open,high,low,close,adjclose,volume', 'date,open,high,low,close,volume,Name', 'Date,Open,High,Low,Close,Volume']) {
      expect(message).toContain(h);
    }
  });
});

describe("onBadRows: 'drop' drops exactly the bad row and reports it", () => {
  test.each([
    ['truncated.csv', 12, '2021-03-15', 'field_count'],
    ['text_in_price.csv', 6, '2021-03-05', 'non_numeric'],
    ['duplicate_dates.csv', 7, '2021-03-05', 'duplicate_date'],
    ['high_below_low.csv', 5, '2021-03-04', 'high_below_low'],
    ['out_of_order.csv', 8, '2021-03-08', 'out_of_order'],
  ])('%s', (name, line, date, kind) => {
    const { bars, dq } = parse(name, 'drop');
    const rowsIn = load(name).trim().split('\n').length - 1;
    expect(dq.rows_in).toBe(rowsIn);
    expect(dq.rows_out).toBe(rowsIn - 1);
    expect(dq.dropped).toBe(1);
    expect(bars.date).toHaveLength(rowsIn - 1);
    const errors = dq.findings.filter((f) => f.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ line, date, kind })]);
    // Dropping leaves strictly ascending dates.
    for (let i = 1; i < bars.date.length; i++) expect(bars.date[i]! > bars.date[i - 1]!).toBe(true);
  });

  test('empty and 0-byte files throw even when dropping: there is nothing to hand on', () => {
    expect(() => parse('empty.csv', 'drop')).toThrow('empty file');
    expect(() => parse('zero_bytes.csv', 'drop')).toThrow('0-byte file');
  });
});
