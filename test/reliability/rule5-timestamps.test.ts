/**
 * Rule 5, messy real data: a daily file whose dates are midnight timestamps with a time zone (as
 * pandas writes a zoned daily index: `2024-01-02 00:00:00-05:00`) is the same market as its
 * plain-date twin, bar for bar, and the look-ahead audit perturbs its rows as it does plain ones.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
import { csvWorkdir, TICKERS } from './rule5-support.js';

describe('dates written as midnight timestamps', () => {
  test('dag run features gives byte-identical processed and feature files to the plain-date files', () => {
    const plain = csvWorkdir({});
    const stamped = csvWorkdir({}, (_t, rows) => rows.map((r) => r.replace(/^(\d{4}-\d{2}-\d{2}),/, '$1 00:00:00-05:00,')));
    expect(readFileSync(join(stamped, 'raw/NVDA.csv'), 'utf8').split('\n')[1]).toMatch(/^\d{4}-\d{2}-\d{2} 00:00:00-05:00,/);
    for (const dir of [plain, stamped]) expect(dagIn(dir, ['run', 'features']).code).toBe(0);
    for (const t of TICKERS) {
      for (const f of [`artifacts/processed/${t}.parquet`, `artifacts/features/${t}.parquet`]) {
        expect(readFileSync(join(stamped, f)).equals(readFileSync(join(plain, f)))).toBe(true);
      }
    }
  });
});
