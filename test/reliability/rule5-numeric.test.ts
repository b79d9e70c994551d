/**
 * Rule 5 / rule 6 (numeric half): a value that would overflow deep in a rolling sum (1e308,
 * Infinity) never becomes a silent NaN or Infinity, nor a stack trace: it is one line naming
 * the file, line, date, ticker and column, exit 1, and no artifact for that ticker.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
import { encodeParquet } from '../../lib/io/parquet.js';
import { checkNoInfinity } from '../../lib/pipeline/finiteFrame.js';
import { csvWorkdir, sampleRows, STACK_FRAME, TICKERS } from './rule5-support.js';

const ROW = 300; // a row well past every warm-up

describe('a price of 1e308 in a CSV', () => {
  test('exit 1 with one line naming file, line, date, ticker and column; no processed or feature artifact for the ticker', () => {
    let date = '';
    const dir = csvWorkdir({}, (t, rows) => {
      if (t !== 'NVDA') return rows;
      const f = rows[ROW]!.split(',');
      date = f[0]!;
      f[2] = f[4] = f[5] = '1e308'; // high, close and adj close: still high >= close >= low
      rows[ROW] = f.join(',');
      return rows;
    });
    const r = dagIn(dir, ['run', 'features']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`raw/NVDA.csv:${ROW + 2}: ${date}: NVDA: high 1e+308 is out of range (above 1000000000000)`);
    expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
    expect(existsSync(join(dir, 'artifacts/processed/NVDA.parquet'))).toBe(false);
    expect(existsSync(join(dir, 'artifacts/features/NVDA.parquet'))).toBe(false);
  });
});

describe('Infinity in a raw parquet file (no text parser to refuse it)', () => {
  test('exit 1 naming the file, row, date, ticker and column', () => {
    let date = '';
    const dir = csvWorkdir({ paths: { raw: 'raw/{ticker}.parquet' } });
    for (const t of TICKERS) {
      const rows = sampleRows()[t]!.map((l) => l.split(','));
      const col = (k: number) => Float64Array.from(rows, (f) => Number(f[k]));
      const volume = col(6);
      if (t === 'MSFT') {
        volume[ROW] = Infinity;
        date = rows[ROW]![0]!;
      }
      const table = { length: rows.length, columns: { date: rows.map((f) => f[0]!), open: col(1), high: col(2), low: col(3), close: col(4), adjclose: col(5), volume } };
      const specs = [{ name: 'date', kind: 'date' as const }, ...['open', 'high', 'low', 'close', 'adjclose', 'volume'].map((name) => ({ name, kind: 'double' as const }))];
      writeFileSync(join(dir, `raw/${t}.parquet`), encodeParquet(table, specs, t));
    }
    const r = dagIn(dir, ['run', 'features']);
    expect(r.code).toBe(1);
    // a parquet row's "line" is its row index + 2, as if under a header (docs/pipeline.md)
    expect(r.stderr).toContain(`raw/MSFT.parquet:${ROW + 2}: ${date}: MSFT: volume Infinity is not a finite number`);
    expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
    expect(existsSync(join(dir, 'artifacts/features/MSFT.parquet'))).toBe(false);
  });
});

describe('the last guard where features and signals are computed', () => {
  test('an infinite value anywhere in a frame is an error naming the column and the date; NaN (no value) passes', () => {
    const frame = { date: ['2021-03-01', '2021-03-02', '2021-03-03'], columns: { rv_20: Float64Array.of(NaN, 0.2, 0.3), volume_z_20: Float64Array.of(NaN, 1, -Infinity) } };
    expect(() => checkNoInfinity(frame, 'features[NVDA]')).toThrow('features[NVDA]: column volume_z_20 is -Infinity on 2021-03-03');
    expect(() => checkNoInfinity({ ...frame, columns: { rv_20: frame.columns.rv_20 } }, 'features[NVDA]')).not.toThrow();
  });
});
