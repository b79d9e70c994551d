/**
 * Issue 11, rule 5 at the parser: newest-first files, the share of rows drop mode may remove,
 * long gaps (error or drop), and raw values whose magnitude would overflow later sums.
 */
import { describe, test, expect } from '@jest/globals';
import { buildBars } from '../../../lib/market/data/build-bars.js';
import { parseRawCsv } from '../../../lib/market/data/parse-raw.js';
import { emptyRecords } from '../../../lib/market/data/raw-records.js';
import { tradingDaysBetween } from '../../../lib/core/calendar.js';

const H = 'Date,Open,High,Low,Close,Adj Close,Volume';
const policy = { file: 'data/raw/X_raw.csv', ticker: 'X', onBadRows: 'error' as const, maxDropShare: 0.01, maxGapDays: 20, onGap: 'error' as const, maxDailyMove: 0.75 };

/** Weekdays from a start date (UTC), as good Yahoo rows with a distinct close per row. */
function weekdayRows(start: string, count: number, price = 10): string[] {
  const rows: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); rows.length < count; t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const c = price + rows.length / 100;
    rows.push(`${d.toISOString().slice(0, 10)},${c},${c + 1},${c - 1},${c},${c},1000`);
  }
  return rows;
}

describe('tradingDaysBetween counts the NYSE sessions strictly between two dates', () => {
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
  test('hand-counted: 2021-03-01 .. 2021-04-06 misses 22 March weekdays, April 1 and April 5 (Good Friday April 2 is a holiday)', () => {
    expect(tradingDaysBetween(day('2021-03-01'), day('2021-04-06'))).toBe(24);
  });
  test('consecutive sessions and a long weekend miss nothing', () => {
    expect(tradingDaysBetween(day('2021-03-04'), day('2021-03-05'))).toBe(0);
    expect(tradingDaysBetween(day('2021-04-01'), day('2021-04-05'))).toBe(0);
  });
});

describe('a newest-first file reads like its oldest-first twin', () => {
  const rows = weekdayRows('2021-03-01', 30);
  test('same bars, same dq counts, and the reversal is reported', () => {
    const oldest = parseRawCsv(`${H}\n${rows.join('\n')}\n`, policy);
    const newest = parseRawCsv(`${H}\n${rows.slice().reverse().join('\n')}\n`, policy);
    expect(newest.newestFirst).toBe(true);
    expect(oldest.newestFirst).toBe(false);
    expect(newest.bars.date).toEqual(rows.map((r) => r.slice(0, 10)));
    expect(Array.from(newest.bars.close)).toEqual(rows.map((r) => Number(r.split(',')[4])));
    expect([newest.dq.rows_in, newest.dq.rows_out, newest.dq.dropped]).toEqual([30, 30, 0]);
  });

  test('a bad row inside a newest-first file is still named by its own line', () => {
    const text = [H, ...rows.slice().reverse()];
    text[5] = text[5]!.replace(/,1000$/, ',-3'); // line 6
    expect(() => parseRawCsv(text.join('\n'), policy)).toThrow(`data/raw/X_raw.csv:6: ${text[5]!.slice(0, 10)}: X: volume -3 is negative`);
  });
});

describe('data.max_drop_share: drop mode may not remove more than this share of a file', () => {
  const rows = weekdayRows('2021-01-04', 200);
  const drop = { ...policy, onBadRows: 'drop' as const };
  const breakRow = (r: string) => r.replace(/^([^,]+),([^,]+),/, '$1,oops,');
  test('2 bad rows of 200 (1%) are dropped; 3 (1.5%) is an error naming the count and the first reasons with lines', () => {
    const two = rows.slice();
    two[9] = breakRow(two[9]!); // line 11
    two[49] = breakRow(two[49]!); // line 51
    expect(parseRawCsv(`${H}\n${two.join('\n')}\n`, drop).dq.dropped).toBe(2);
    const three = two.slice();
    three[99] = breakRow(three[99]!); // line 101
    expect(() => parseRawCsv(`${H}\n${three.join('\n')}\n`, drop)).toThrow(
      `data/raw/X_raw.csv: X: 3 of 200 rows (1.5%) failed data-quality checks, more than data.max_drop_share (1%) allows dropping; ` +
        `first: line 11: ${rows[9]!.slice(0, 10)}: open 'oops' is not a number; line 51: ${rows[49]!.slice(0, 10)}: open 'oops' is not a number; line 101: ${rows[99]!.slice(0, 10)}: open 'oops' is not a number`,
    );
  });

  test('a file in no date order at all fails instead of losing most of its rows', () => {
    // interleaved halves: neither oldest- nor newest-first, so nearly every other row is out of order
    const shuffled = rows.flatMap((_, i) => (i % 2 === 0 ? [rows[i / 2]!, rows[199 - i / 2]!] : []));
    expect(() => parseRawCsv(`${H}\n${shuffled.join('\n')}\n`, drop)).toThrow(/X: \d+ of 200 rows \(\d+(\.\d+)?%\) failed data-quality checks.*date out of order/);
  });
});

describe('data.max_gap_days and data.on_gap', () => {
  // 2021-03-01 then 2021-04-06: 24 missing trading days (hand count above)
  const before = weekdayRows('2021-02-01', 21); // the 20 weekdays of February, then March 1
  const after = weekdayRows('2021-04-06', 10, 15); // +47% over the gap: within data.max_daily_move
  const text = `${H}\n${before.join('\n')}\n${after.join('\n')}\n`;
  test('the fixture: the last row before the gap is 2021-03-01', () => {
    expect(before.at(-1)!.slice(0, 10)).toBe('2021-03-01');
  });

  test('error mode: the gap is an error naming the file, line, ticker, both dates and the length', () => {
    expect(() => parseRawCsv(text, policy)).toThrow(
      'data/raw/X_raw.csv:23: 2021-04-06: X: gap of 24 trading days without data between 2021-03-01 (line 22) and 2021-04-06, more than the 20 allowed (data.max_gap_days)',
    );
  });

  test('a gap of exactly max_gap_days is allowed (and still a calendar-day warning)', () => {
    const { bars, dq } = parseRawCsv(text, { ...policy, maxGapDays: 24 });
    expect(bars.date).toHaveLength(31);
    expect(dq.findings.map((f) => f.kind)).toEqual(['gap']);
  });

  test('drop mode: only the history after the gap is kept, warnings about dropped rows are forgotten', () => {
    const withZero = before.slice();
    withZero[3] = withZero[3]!.replace(/,1000$/, ',0');
    const { bars, dq, droppedBeforeGap } = parseRawCsv(`${H}\n${withZero.join('\n')}\n${after.join('\n')}\n`, { ...policy, onGap: 'drop' });
    expect(bars.date).toEqual(after.map((r) => r.slice(0, 10)));
    expect(droppedBeforeGap).toBe(21);
    expect([dq.rows_in, dq.rows_out, dq.dropped]).toEqual([31, 10, 21]);
    expect(dq.findings).toEqual([
      { line: 23, date: '2021-04-06', kind: 'long_gap', level: 'warning', message: 'gap of 24 trading days without data between 2021-03-01 (line 22) and 2021-04-06, more than the 20 allowed: the 21 rows before it were dropped' },
    ]);
  });

  test('gap-dropped rows do not count against max_drop_share', () => {
    expect(() => parseRawCsv(text, { ...policy, onBadRows: 'drop', onGap: 'drop' })).not.toThrow();
  });
});

describe('raw values that would overflow later computations are errors at parse time', () => {
  test.each([
    ['2021-03-02,10,1e308,9,10,10,1000', 'high 1e+308 is out of range (above 1000000000000)'],
    ['2021-03-02,1e-300,12,1e-300,10,10,1000', 'open 1e-300 is out of range (below 1e-12)'],
    ['2021-03-02,10,12,9,10,10,1e300', 'volume 1e+300 is out of range (above 1000000000000000000)'],
    ['2021-03-02,10,12,9,Infinity,10,1000', "close 'Infinity' is not a number"],
  ])('%s -> %s', (row, problem) => {
    expect(() => parseRawCsv(`${H}\n2021-03-01,10,12,9,10,10,1000\n${row}\n`, policy)).toThrow(`data/raw/X_raw.csv:3: 2021-03-02: X: ${problem}`);
  });

  test('Infinity from a parquet source (no text parse) is caught too', () => {
    const r = emptyRecords(1, false);
    r.line = [2];
    r.date = ['2021-03-01'];
    r.open.set([10]);
    r.high.set([Infinity]);
    r.low.set([9]);
    r.close.set([10]);
    r.volume.set([5]);
    expect(() => buildBars(r, { ...policy, file: 'data/raw/X_raw.parquet' })).toThrow('data/raw/X_raw.parquet:2: 2021-03-01: X: high Infinity is not a finite number');
  });
});

describe('a close far from the previous one is a price_jump warning: an unadjusted split or a bad price', () => {
  const S = 'Date,Open,High,Low,Close,Volume'; // no adjusted close (the stooq layout)
  const jumps = (header: string, rows: string[], maxDailyMove = 0.75) =>
    parseRawCsv(`${header}\n${rows.join('\n')}\n`, { ...policy, maxDailyMove }).dq.findings.filter((f) => f.kind === 'price_jump');

  test('an unadjusted 2:1 split: 100 -> 51 is -49%, beyond 1/1.75 (-42.9%); the row is kept', () => {
    const rows = ['2021-03-01,100,101,99,100,1000', '2021-03-02,50,52,50,51,2000', '2021-03-03,51,52,50,51,2000'];
    const { bars } = parseRawCsv(`${S}\n${rows.join('\n')}\n`, { ...policy, maxDailyMove: 0.75 });
    expect(Array.from(bars.close)).toEqual([100, 51, 51]);
    expect(jumps(S, rows)).toEqual([{ line: 3, date: '2021-03-02', kind: 'price_jump', level: 'warning', message: 'close 100 -> 51 (-49.0%) since 2021-03-01 (line 2), beyond data.max_daily_move 0.75: an unadjusted split or a bad price?' }]);
  });

  test('a price off by 100 for one row is two jumps, in and out; moves within the bound are none', () => {
    const rows = ['2021-03-01,10,11,9,10,1000', '2021-03-02,1000,1100,900,1000,1000', '2021-03-03,10,11,9,10,1000', '2021-03-04,17,18,16,17.5,1000', '2021-03-05,10,11,9,10,1000'];
    // 10 -> 17.5 is exactly +75% and 17.5 -> 10 exactly 1/1.75: on the bound, not beyond it
    expect(jumps(S, rows).map((f) => `${f.date} ${f.message.split(' since')[0]}`)).toEqual(['2021-03-02 close 10 -> 1000 (+9900.0%)', '2021-03-03 close 1000 -> 10 (-99.0%)']);
    expect(jumps(S, rows, 100)).toEqual([]);
  });

  test('with adjusted closes the jump is measured on them: a split they account for is no jump', () => {
    const rows = ['2021-03-01,100,101,99,100,50,1000', '2021-03-02,50,52,50,51,51,2000'];
    expect(jumps(H, rows)).toEqual([]);
    // an adjusted close that misses the split is
    expect(jumps(H, ['2021-03-01,100,101,99,100,100,1000', '2021-03-02,50,52,50,51,51,2000']).map((f) => f.message.split(' since')[0])).toEqual(['adjusted close 100 -> 51 (-49.0%)']);
  });
});
