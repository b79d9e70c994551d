/**
 * Rule 5: `on_bad_rows: drop` must not quietly remove most of a file. A newest-first export (the
 * case that lost 3,301 of 3,302 rows) is read in date order; dropping more than
 * data.max_drop_share of a ticker's rows is an error naming the ticker, the count and the first
 * reasons with their lines.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
import { csvWorkdir, STACK_FRAME } from './rule5-support.js';

describe('a newest-first file', () => {
  test.each(['error', 'drop'])('on_bad_rows: %s: read in date order, processed bars byte-identical to the oldest-first file', (mode) => {
    const oldest = csvWorkdir({ data: { on_bad_rows: mode } });
    const newest = csvWorkdir({ data: { on_bad_rows: mode } }, (t, rows) => (t === 'NVDA' ? rows.reverse() : rows));
    expect(readFileSync(join(newest, 'raw/NVDA.csv'), 'utf8')).not.toBe(readFileSync(join(oldest, 'raw/NVDA.csv'), 'utf8'));
    expect(dagIn(oldest, ['run', 'processed']).code).toBe(0);
    const r = dagIn(newest, ['run', 'processed']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('raw/NVDA.csv lists its rows newest first: read in date order');
    expect(readFileSync(join(newest, 'artifacts/processed/NVDA.parquet')).equals(readFileSync(join(oldest, 'artifacts/processed/NVDA.parquet')))).toBe(true);
    const dq = JSON.parse(readFileSync(join(newest, 'artifacts/processed/NVDA.dq.json'), 'utf8'));
    expect(dq.dropped).toBe(0);
  });
});

describe('data.max_drop_share', () => {
  // every 20th NVDA row gets a text price: 5% of the file
  const spoil = (t: string, rows: string[]) => (t === 'NVDA' ? rows.map((r, i) => (i % 20 === 7 ? r.replace(/^([^,]+),([^,]+),/, '$1,n/a,') : r)) : rows);

  test('drop mode removing 5% of a file (default limit 1%): exit 1 naming the ticker, the count and the first reasons with lines; nothing written', () => {
    const dir = csvWorkdir({ data: { on_bad_rows: 'drop' } }, spoil);
    const rows = readFileSync(join(dir, 'raw/NVDA.csv'), 'utf8').trimEnd().split('\n');
    const n = rows.length - 1;
    const bad = rows.map((r, i) => ({ r, line: i + 1 })).filter(({ r }) => r.includes(',n/a,'));
    const r = dagIn(dir, ['run', 'processed']);
    expect(r.code).toBe(1);
    const pct = Number(((100 * bad.length) / n).toPrecision(3));
    const first = bad.slice(0, 3).map(({ r: row, line }) => `line ${line}: ${row.slice(0, 10)}: open 'n/a' is not a number`).join('; ');
    expect(r.stderr).toContain(`raw/NVDA.csv: NVDA: ${bad.length} of ${n} rows (${pct}%) failed data-quality checks, more than data.max_drop_share (1%) allows dropping; first: ${first}`);
    expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
    expect(existsSync(join(dir, 'artifacts/processed/NVDA.parquet'))).toBe(false);
    expect(existsSync(join(dir, 'artifacts/processed/NVDA.dq.json'))).toBe(false);
  });

  test('a limit above the share lets drop mode drop them, and the end-of-run summary says so', () => {
    const dir = csvWorkdir({ data: { on_bad_rows: 'drop', max_drop_share: 0.06 } }, spoil);
    const bad = readFileSync(join(dir, 'raw/NVDA.csv'), 'utf8').split('\n').filter((r) => r.includes(',n/a,')).length;
    const r = dagIn(dir, ['run', 'processed']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'artifacts/processed/NVDA.dq.json'), 'utf8')).dropped).toBe(bad);
    expect(r.stderr).toMatch(new RegExp(`  NVDA: ${bad} bad row\\(s\\) of \\d+ dropped, first on line 9: open 'n/a' is not a number`));
  });
});
