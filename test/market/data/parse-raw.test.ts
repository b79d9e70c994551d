import { describe, test, expect } from '@jest/globals';
import { buildBars } from '../../../lib/market/data/build-bars.js';
import { parseRawCsv } from '../../../lib/market/data/parse-raw.js';
import { emptyRecords } from '../../../lib/market/data/raw-records.js';

// maxDropShare 1: these tests are about which rows drop, not about how many may
const opts = { file: 'data/raw/X_raw.csv', ticker: 'X', onBadRows: 'error' as const, maxDropShare: 1, maxGapDays: 20, onGap: 'error' as const, maxDailyMove: 0.75 };
const drop = { ...opts, onBadRows: 'drop' as const };

describe('layouts', () => {
  test('Yahoo layout: prices scaled by AdjClose/Close, volume divided, dollar volume kept', () => {
    const text = 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,10,12,9,11,5.5,1000\n2020-01-03,11,11.5,10,10,10,2000\n';
    // adjusted 5.5 -> 10 is +82%, a price_jump at the default bound: this is arithmetic, not a market
    const { bars, dq } = parseRawCsv(text, { ...opts, maxDailyMove: 1 });
    // Hand-worked: day 1 factor 5.5/11 = 0.5.
    expect(bars.date).toEqual(['2020-01-02', '2020-01-03']);
    expect(Array.from(bars.adj_factor)).toEqual([0.5, 1]);
    expect(Array.from(bars.open)).toEqual([5, 11]);
    expect(Array.from(bars.high)).toEqual([6, 11.5]);
    expect(Array.from(bars.low)).toEqual([4.5, 10]);
    expect(Array.from(bars.close)).toEqual([5.5, 10]);
    expect(Array.from(bars.raw_close)).toEqual([11, 10]);
    expect(Array.from(bars.volume)).toEqual([2000, 2000]);
    expect(bars.close[0]! * bars.volume[0]!).toBe(11 * 1000);
    expect(dq).toEqual({ ticker: 'X', file: 'data/raw/X_raw.csv', rows_in: 2, rows_out: 2, dropped: 0, findings: [] });
  });

  test('lower-case layout with adjclose (the SPX file)', () => {
    const text = 'date,open,high,low,close,adjclose,volume\n2020-01-02,10,12,9,11,11,1000';
    const { bars } = parseRawCsv(text, opts);
    expect(Array.from(bars.adj_factor)).toEqual([1]);
    expect(Array.from(bars.close)).toEqual([11]);
  });

  test('Kaggle layout (volume before Name) and Stooq layout: no adjustment column, factor 1', () => {
    const kaggle = 'date,open,high,low,close,volume,Name\n2020-01-02,10,12,9,11,500,X\n2020-01-03,11,13,10,12,600,X\n';
    const k = parseRawCsv(kaggle, opts).bars;
    expect(Array.from(k.volume)).toEqual([500, 600]);
    expect(Array.from(k.close)).toEqual([11, 12]);
    expect(Array.from(k.adj_factor)).toEqual([1, 1]);
    // its Name column must name the file's ticker, on every row, whatever the bad-row policy
    expect(() => parseRawCsv(kaggle.replace('600,X', '600,AAPL'), { ...opts, onBadRows: 'drop' })).toThrow("data/raw/X_raw.csv:3: X: the Name column says 'AAPL', not X: is it another symbol's file?");
    expect(parseRawCsv(kaggle.replaceAll(',X\n', ',x\n'), opts).bars.close).toHaveLength(2);
    const stooq = 'Date,Open,High,Low,Close,Volume\r\n2020-01-02,10,12,9,11,700\r\n';
    const s = parseRawCsv(stooq, opts).bars;
    expect(Array.from(s.volume)).toEqual([700]);
    expect(Array.from(s.raw_close)).toEqual([11]);
  });

  test('a byte-order mark and Windows line ends are accepted', () => {
    const text = '\uFEFFDate,Open,High,Low,Close,Adj Close,Volume\r\n2020-01-02,10,12,9,11,11,1000\r\n';
    expect(parseRawCsv(text, opts).bars.date).toEqual(['2020-01-02']);
  });

  test('dates must be ISO', () => {
    const text = 'Date,Open,High,Low,Close,Adj Close,Volume\n01/02/2020,10,12,9,11,11,1000\n';
    expect(() => parseRawCsv(text, opts)).toThrow("data/raw/X_raw.csv:2: 01/02/2020: X: date '01/02/2020' is not an ISO date YYYY-MM-DD");
    const feb30 = 'Date,Open,High,Low,Close,Adj Close,Volume\n2021-02-29,10,12,9,11,11,1000\n';
    expect(() => parseRawCsv(feb30, opts)).toThrow('is not an ISO date');
  });
});

describe('data-quality rules', () => {
  const H = 'Date,Open,High,Low,Close,Adj Close,Volume';
  test.each([
    ['2020-01-02,0,12,9,11,11,1000', 'open 0 is not positive'],
    ['2020-01-02,10,12,-9,11,11,1000', 'low -9 is not positive'],
    ['2020-01-02,10,12,9,11,,1000', 'adjclose is missing'],
    ['2020-01-02,13,12,9,11,11,1000', 'open 13 outside [low 9, high 12]'],
    ['2020-01-02,10,12,9,8,8,1000', 'close 8 outside [low 9, high 12]'],
    ['2020-01-02,10,12,9,11,11,-5', 'volume -5 is negative'],
    ['2020-01-02,10,12,9,11,11,null', "volume 'null' is not a number"],
    // JavaScript's Number() reads these as 16, 1 and 8
    ['2020-01-02,10,12,9,11,11,0x10', "volume '0x10' is not a number"],
    ['2020-01-02,10,12,9,11,11,0b1', "volume '0b1' is not a number"],
    ['2020-01-02,0o12,12,9,11,11,1000', "open '0o12' is not a number"],
  ])('%s -> %s', (row, problem) => {
    expect(() => parseRawCsv(`${H}\n${row}\n2020-01-03,10,12,9,11,11,1000\n`, opts)).toThrow(`data/raw/X_raw.csv:2: 2020-01-02: X: ${problem}`);
  });

  test('decimals in every form a CSV writer uses are numbers', () => {
    const { bars } = parseRawCsv(`${H}\n2020-01-02,10.,+12,9.0,11,1.1e1, 1.5E+3\n2020-01-03,.95e1,12,.9e1,11,11,0010\n`, opts);
    expect(Array.from(bars.volume)).toEqual([1500, 10]);
    expect(Array.from(bars.open)).toEqual([10, 9.5]);
  });

  test('zero volume and gaps over 7 calendar days are warnings: the rows stay', () => {
    const text = `${H}\n2020-01-02,10,12,9,11,11,1000\n2020-01-03,10,12,9,11,11,0\n2020-01-13,10,12,9,11,11,1000\n2020-01-21,10,12,9,11,11,1000\n`;
    const { bars, dq } = parseRawCsv(text, opts);
    expect(bars.date).toHaveLength(4);
    expect(dq.dropped).toBe(0);
    expect(dq.findings).toEqual([
      { line: 3, date: '2020-01-03', kind: 'zero_volume', level: 'warning', message: 'zero volume' },
      { line: 4, date: '2020-01-13', kind: 'gap', level: 'warning', message: 'gap of 10 calendar days since 2020-01-03 (more than 7)' },
      { line: 5, date: '2020-01-21', kind: 'gap', level: 'warning', message: 'gap of 8 calendar days since 2020-01-13 (more than 7)' },
    ]);
  });

  test('drop mode: several bad rows dropped, findings sorted by line, kept rows untouched', () => {
    const text = [
      H,
      '2020-01-02,10,12,9,11,11,1000',
      '2020-01-03,10,9,12,11,11,1000', // high < low
      '2020-01-03,10,12,9,11,11,1000',
      '2020-01-03,10,12,9,11,11,1000', // duplicate
      '2020-01-06,abc,12,9,11,11,1000', // text
      '2020-01-01,10,12,9,11,11,1000', // out of order
      '2020-01-07,10,12,9,11,11', // field count (not last line)
      '2020-01-08,10,12,9,11,11,1000',
      '',
    ].join('\n');
    const { bars, dq } = parseRawCsv(text, drop);
    expect(bars.date).toEqual(['2020-01-02', '2020-01-03', '2020-01-08']);
    expect(dq.rows_in).toBe(8);
    expect(dq.dropped).toBe(5);
    expect(dq.findings.map((f) => [f.line, f.kind])).toEqual([
      [3, 'high_below_low'],
      [5, 'duplicate_date'],
      [6, 'non_numeric'],
      [7, 'out_of_order'],
      [8, 'field_count'],
    ]);
    expect(dq.findings[4]!.message).toBe('expected 7 fields, found 6');
  });

  test('a file whose every row is bad throws in drop mode too', () => {
    expect(() => parseRawCsv(`${H}\n2020-01-02,x,12,9,11,11,1000\n`, drop)).toThrow(
      "data/raw/X_raw.csv: X: every row was dropped (1 rows); first problem: data/raw/X_raw.csv:2: 2020-01-02: X: open 'x' is not a number",
    );
  });
});

describe('buildBars on records from another reader (e.g. parquet)', () => {
  test('NaN reads as missing; line numbers come from the records', () => {
    const r = emptyRecords(2, false);
    r.line = [2, 3];
    r.date = ['2020-01-02', '2020-01-03'];
    r.open.set([10, 10]);
    r.high.set([12, 12]);
    r.low.set([9, 9]);
    r.close.set([11, NaN]);
    r.volume.set([100, 100]);
    expect(() => buildBars(r, { ...opts, file: 'data/raw/X_raw.parquet' })).toThrow(
      'data/raw/X_raw.parquet:3: 2020-01-03: X: close is missing',
    );
    const { bars, dq } = buildBars(r, { ...drop, file: 'data/raw/X_raw.parquet' });
    expect(bars.date).toEqual(['2020-01-02']);
    expect(Array.from(bars.adj_factor)).toEqual([1]);
    expect(dq.findings[0]).toMatchObject({ line: 3, kind: 'missing_value' });
  });
});

describe('dates written as timestamps', () => {
  const H = 'Date,Open,High,Low,Close,Adj Close,Volume';
  const rows = ['2024-01-02,10,12,9,11,11,1000', '2024-01-03,11,11.5,10,10,10,2000'];
  const plain = parseRawCsv(`${H}\n${rows.join('\n')}\n`, opts);

  test.each([
    ['pandas, with a time zone', '00:00:00-05:00', ' '],
    ['ISO with Z', '00:00:00Z', 'T'],
    ['no seconds, no offset', '00:00', ' '],
    ['milliseconds and a compact offset', '00:00:00.000+0100', 'T'],
  ])('at midnight (%s) they are read as their date: the same bars as plain dates', (_what, time, sep) => {
    const text = `${H}\n${rows.map((r) => r.replace(/^(\d{4}-\d{2}-\d{2})/, `$1${sep}${time}`)).join('\n')}\n`;
    expect(text).toContain(`2024-01-02${sep}${time},`);
    const stamped = parseRawCsv(text, opts);
    expect(stamped.bars).toEqual(plain.bars);
    expect(stamped.dq.findings).toEqual([]);
  });

  test('another time of day is refused, saying why: 05:00Z may be midnight in New York', () => {
    const text = `${H}\n2024-01-02,10,12,9,11,11,1000\n2024-01-03T05:00:00Z,11,11.5,10,10,10,2000\n`;
    expect(() => parseRawCsv(text, opts)).toThrow("data/raw/X_raw.csv:3: 2024-01-03T05:00:00Z: X: date '2024-01-03T05:00:00Z' is not an ISO date YYYY-MM-DD (a timestamp is read as its date only at 00:00)");
  });
});

describe("yfinance's download(...).to_csv() layout: Price / Ticker / Date header lines", () => {
  const yahoo = 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,12,9,11,5.5,1000\n2024-01-03,11,11.5,10,10,10,2000\n';
  // the same two bars, columns in yfinance's order (Adj Close, Close, High, Low, Open, Volume)
  const yf = (symbol = 'X', sub = 'Date,,,,,,') => `Price,Adj Close,Close,High,Low,Open,Volume\nTicker,${symbol},${symbol},${symbol},${symbol},${symbol},${symbol}\n${sub}\n2024-01-02 00:00:00-05:00,5.5,11,12,9,10,1000\n2024-01-03 00:00:00-05:00,10,10,11.5,10,11,2000\n`;
  const loose = { ...opts, maxDailyMove: 1 };

  test('reads the same bars as the Yahoo layout, with file line numbers', () => {
    const a = parseRawCsv(yf(), loose);
    expect(a.bars).toEqual(parseRawCsv(yahoo, loose).bars);
    // a bad row names its line in the file (the fourth line is the first bar)
    expect(() => parseRawCsv(yf().replace(',9,10,1000', ',9,13,1000'), loose)).toThrow('data/raw/X_raw.csv:4: 2024-01-02: X: open 13 outside [low 9, high 12]');
  });

  test('auto-adjusted (no Adj Close) reads too', () => {
    const text = 'Price,Close,High,Low,Open,Volume\nTicker,X,X,X,X,X\nDate,,,,,\n2024-01-02,11,12,9,10,1000\n';
    expect(Array.from(parseRawCsv(text, loose).bars.close)).toEqual([11]);
  });

  test("a Ticker line naming another symbol is refused: the file would give X another's prices", () => {
    expect(() => parseRawCsv(yf('AAPL'), loose)).toThrow("data/raw/X_raw.csv:2: X: the file's Ticker line names AAPL, not X: is it another symbol's file?");
  });

  test('missing sub-header lines are a clear error', () => {
    expect(() => parseRawCsv(yf('X', '2023-12-29,5,10,11,9,10,1000'), loose)).toThrow(/X_raw\.csv:3: X: a 'Price,Adj Close,Close,High,Low,Open,Volume' header \(yfinance_adj\) is followed by 'Ticker,\.\.\.' and then 'Date' with empty fields/);
  });
});
