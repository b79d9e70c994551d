/**
 * Rule 5, messy real data: a daily file whose dates are midnight timestamps with a time zone (as
 * pandas writes a zoned daily index: `2024-01-02 00:00:00-05:00`) is the same market as its
 * plain-date twin, bar for bar; so is the file yfinance writes, with its own header lines.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
import { csvWorkdir, TICKERS } from './rule5-support.js';

/** dag run features in each folder, then every processed and feature file compared byte for byte. */
function expectSameMarket(a: string, b: string): void {
  for (const dir of [a, b]) expect(dagIn(dir, ['run', 'features']).code).toBe(0);
  for (const t of TICKERS) {
    for (const f of [`artifacts/processed/${t}.parquet`, `artifacts/features/${t}.parquet`]) {
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    }
  }
}

const stamp = (row: string) => row.replace(/^(\d{4}-\d{2}-\d{2}),/, '$1 00:00:00-05:00,');

describe('dates written as midnight timestamps', () => {
  test('dag run features gives byte-identical processed and feature files to the plain-date files', () => {
    const stamped = csvWorkdir({}, (_t, rows) => rows.map(stamp));
    expect(readFileSync(join(stamped, 'raw/NVDA.csv'), 'utf8').split('\n')[1]).toMatch(/^\d{4}-\d{2}-\d{2} 00:00:00-05:00,/);
    expectSameMarket(csvWorkdir({}), stamped);
  });

  test("yfinance's to_csv layout (Price / Ticker / Date lines, its own column order) is the same market too", () => {
    // Date,Open,High,Low,Close,Adj Close,Volume -> Price,Adj Close,Close,High,Low,Open,Volume
    const yf = csvWorkdir({}, (t, rows) => [
      'Price,Adj Close,Close,High,Low,Open,Volume', `Ticker,${Array(6).fill(t).join(',')}`, 'Date,,,,,,',
      ...rows.map((r) => { const [d, o, h, l, c, a, v] = stamp(r).split(','); return [d, a, c, h, l, o, v].join(','); }),
    ].join('\n') + '\n');
    expectSameMarket(csvWorkdir({}), yf);
  });
});
