/**
 * The bad raw corpus (test/fixtures/raw/) through the real pipeline: data.source csv, one ticker's
 * raw file replaced by a fixture, `dag run signals`. Each must exit 1 with a message naming the
 * file, the line and date where there is one, the problem and the ticker, and leave no artifact
 * for that ticker. A missing raw file names the ticker and the path looked at. With
 * data.on_bad_rows: drop, a bad row is dropped and counted in the ticker's dq.json.
 */
import { describe, test, expect } from '@jest/globals';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, makeWorkdir, REPO } from '../support/pipeline.js';
import { readParquet } from './l13-support.js';

const FIXTURES = join(REPO, 'test/fixtures/raw');
const RAW = (t: string) => `data/raw/${t}_raw.csv`;

/** A valid Yahoo-layout benchmark over the fixtures' dates (weekdays of Feb-Apr 2021). */
function goodBenchmark(): string {
  const rows = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  let price = 380;
  for (let d = Date.UTC(2021, 1, 1); d <= Date.UTC(2021, 3, 30); d += 86_400_000) {
    const day = new Date(d);
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
    const close = price * (1 + 0.004 * Math.sin(d / 86_400_000));
    rows.push([day.toISOString().slice(0, 10), price.toFixed(6), (Math.max(price, close) + 1).toFixed(6), (Math.min(price, close) - 1).toFixed(6), close.toFixed(6), close.toFixed(6), 5e7].join(','));
    price = close;
  }
  return rows.join('\n') + '\n';
}

/** A csv-source work folder with tickers [..bad, SPY]; `files` maps ticker -> fixture name (null: no file). */
// max_drop_share: 1: these fixtures are a dozen rows, so one bad row is several percent of the file
function workdir(files: Record<string, string | null>, onBadRows: 'error' | 'drop' = 'error'): string {
  const dir = makeWorkdir({ tickers: [...Object.keys(files), 'SPY'], benchmark: 'SPY', data: { source: 'csv', on_bad_rows: onBadRows, max_drop_share: 1 } });
  mkdirSync(join(dir, 'data/raw'), { recursive: true });
  writeFileSync(join(dir, RAW('SPY')), goodBenchmark());
  for (const [t, f] of Object.entries(files)) if (f) copyFileSync(join(FIXTURES, f), join(dir, RAW(t)));
  return dir;
}

const artifactsOf = (dir: string, t: string) =>
  ['processed', 'features', 'signals'].flatMap((node) => {
    const d = join(dir, 'artifacts', node);
    return existsSync(d) ? readdirSync(d).filter((f) => f.startsWith(`${t}.`)).map((f) => `${node}/${f}`) : [];
  });

// Hand-read from the fixtures: the 1-based line and the date of the first bad row.
const CASES: { fixture: string; line: number | null; date: string | null; problem: RegExp }[] = [
  { fixture: 'truncated.csv', line: 12, date: '2021-03-15', problem: /truncated last line: expected 7 fields, found 2/ },
  { fixture: 'wrong_header.csv', line: 1, date: null, problem: /unknown header 'Day,Open,High,Low,Last,Volume'; expected one of .*Date,Open,High,Low,Close,Adj Close,Volume/ },
  { fixture: 'text_in_price.csv', line: 6, date: '2021-03-05', problem: /close 'n\/a' is not a number/ },
  { fixture: 'duplicate_dates.csv', line: 7, date: '2021-03-05', problem: /duplicate date \(first on line 6\)/ },
  { fixture: 'high_below_low.csv', line: 5, date: '2021-03-04', problem: /high 10\.2 < low 10\.5/ },
  { fixture: 'empty.csv', line: 1, date: null, problem: /empty file: header only, no data rows/ },
  { fixture: 'zero_bytes.csv', line: null, date: null, problem: /0-byte file/ },
  { fixture: 'out_of_order.csv', line: 8, date: '2021-03-08', problem: /date out of order: after 2021-03-09 on line 7/ },
];

describe('bad raw files through dag run signals', () => {
  test('the corpus covers every fixture in test/fixtures/raw', () => {
    expect(CASES.map((c) => c.fixture).sort()).toEqual(readdirSync(FIXTURES).filter((f) => f.endsWith('.csv')).sort());
  });

  test.each(CASES)('$fixture: exit 1, file:line: date: ticker: problem, no artifact for the ticker', ({ fixture, line, date, problem }) => {
    const dir = workdir({ BAD: fixture });
    const r = dagIn(dir, ['run', 'signals']);
    const out = r.stdout + r.stderr;
    expect(r.code).toBe(1);
    // one message with every part, in order: file[:line]: [date: ]TICKER: problem
    const where = line === null ? RAW('BAD') : `${RAW('BAD')}:${line}`;
    const expected = new RegExp(`${where.replaceAll('.', '\\.')}: ${date ? `${date}: ` : ''}BAD: ${problem.source}`);
    expect(out).toMatch(expected);
    expect(artifactsOf(dir, 'BAD')).toEqual([]);
    // the good benchmark is processed: the failure is the bad ticker's alone
    expect(existsSync(join(dir, 'artifacts/processed/SPY.parquet'))).toBe(true);
  });

  test('a missing raw file: exit 1, naming the ticker and the path looked at', () => {
    const dir = workdir({ GONE: null });
    const r = dagIn(dir, ['run', 'signals']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/no raw data for ticker GONE: data\/raw\/GONE_raw\.csv does not exist/);
    expect(artifactsOf(dir, 'GONE')).toEqual([]);
  });

  test('on_bad_rows: drop runs, drops exactly the bad row and counts it in dq.json', async () => {
    const rowCases = CASES.filter((c) => c.date !== null);
    const names = rowCases.map((_, i) => `B${i}`);
    const dir = workdir(Object.fromEntries(rowCases.map((c, i) => [names[i]!, c.fixture])), 'drop');
    const r = dagIn(dir, ['run', 'signals']);
    expect(r.code).toBe(0);
    for (const [i, c] of rowCases.entries()) {
      const t = names[i]!;
      const dq = JSON.parse(readFileSync(join(dir, `artifacts/processed/${t}.dq.json`), 'utf8'));
      const dataLines = readFileSync(join(FIXTURES, c.fixture), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '').length;
      expect([dq.rows_in, dq.dropped, dq.rows_out]).toEqual([dataLines, 1, dataLines - 1]);
      const errors = dq.findings.filter((f: { level: string }) => f.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ line: c.line, date: c.date });
      expect(errors[0].message).toMatch(c.problem);
      const p = await readParquet(join(dir, `artifacts/processed/${t}.parquet`));
      expect(p.date).toHaveLength(dataLines - 1);
      // the kept dates are unique and ascending (for duplicates, the first of the two is kept)
      for (let k = 1; k < p.date.length; k++) expect(p.date[k - 1]! < p.date[k]!).toBe(true);
      expect(existsSync(join(dir, `artifacts/signals/${t}.parquet`))).toBe(true);
    }
  });

  test.each(['empty.csv', 'zero_bytes.csv', 'wrong_header.csv'])('on_bad_rows: drop still fails on %s (no row to keep)', (fixture) => {
    const dir = workdir({ BAD: fixture }, 'drop');
    const r = dagIn(dir, ['run', 'signals']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/data\/raw\/BAD_raw\.csv.*BAD: /);
    expect(artifactsOf(dir, 'BAD')).toEqual([]);
  });
});
