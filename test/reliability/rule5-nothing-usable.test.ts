/**
 * Rule 5: a run in which a layer produced nothing usable fails (exit 1) naming the layer and
 * why, instead of a flat "total return 0.00%" and all-zero targets with exit 0.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
import { readParquet } from '../pipeline/l13-support.js';
import { csvWorkdir, sampleRows, STACK_FRAME, TICKERS } from './rule5-support.js';

const summaryJson = (dir: string) => join(dir, 'artifacts/backtests/hybrid_alpha_mvp/summary.json');

function expectLoudFailure(r: { code: number; stdout: string; stderr: string }, dir: string, message: string): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(message);
  expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('total return');
  expect(existsSync(summaryJson(dir))).toBe(false);
}

describe('the regime layer', () => {
  test('a benchmark too short for the regime engine: regime fails naming the benchmark, its usable rows and regime.min_train', () => {
    const dir = csvWorkdir({}, (t, rows) => (t === 'SPY' ? rows.slice(-300) : rows));
    const r = dagIn(dir, ['run', 'backtest']);
    // 300 closes: 299 log returns, the first 20-day volatility on row 20, so rows 20..299 = 280 usable
    expectLoudFailure(r, dir, 'failed regime: regime: the regime model was never fitted: the benchmark SPY has 280 of 300 rows with a usable observation');
    expect(r.stderr).toContain('regime.min_train = 378');
  });

  test('a benchmark with constant prices: no usable observation at all', () => {
    const dir = csvWorkdir({}, (t, rows) => (t === 'SPY' ? rows.map((row) => `${row.slice(0, 10)},100,100,100,100,100,1000000`) : rows));
    const r = dagIn(dir, ['run', 'backtest']);
    expectLoudFailure(r, dir, `the benchmark SPY has 0 of ${sampleRows().SPY!.length} rows with a usable observation`);
    expect(r.stderr).toContain('constant prices have none');
  });
});

describe('the positions layer', () => {
  test('regime weights of zero everywhere: no ticker ever gets a non-zero target weight, so positions fails', () => {
    const dir = csvWorkdir({});
    const zero = { trend_alpha: 0, mean_reversion_alpha: 0, vol_alpha: 0, rel_strength_alpha: 0, ml_score: 0 };
    writeFileSync(join(dir, 'config/regimes.yaml'), `regimes:\n${['bull', 'neutral', 'bear'].map((n) => `  ${n}: ${JSON.stringify(zero)}`).join('\n')}\n`);
    const r = dagIn(dir, ['run', 'backtest']);
    expectLoudFailure(r, dir, 'failed positions: positions: no ticker ever gets a non-zero target weight');
    for (const t of TICKERS) expect(r.stderr).toMatch(new RegExp(`${t}: alpha_score on \\d+ of \\d+ dates \\(non-zero on 0\\)`));
  });
});

describe('the backtest layer', () => {
  test('a backtest window before the first position: no trade, so the backtest fails naming the first date with a target weight', async () => {
    const dir = csvWorkdir({ backtest: { start_date: '2015-06-01', end_date: '2015-12-31' } });
    const r = dagIn(dir, ['run', 'backtest']);
    // where the positions do start, read independently (DuckDB) from the positions layer's output
    let first = '';
    for (const t of TICKERS) {
      const pos = await readParquet(join(dir, `artifacts/positions/hybrid_alpha_mvp/${t}.parquet`));
      const i = pos.cols.target_weight!.findIndex((w) => w !== null && w !== 0);
      if (i >= 0 && (first === '' || pos.date[i]! < first)) first = pos.date[i]!;
    }
    expect(first > '2015-12-31').toBe(true);
    expectLoudFailure(r, dir, `failed backtest: backtest: no position was ever taken between 2015-06-01 and 2015-12-31: every target weight in the window is 0 or null (the first non-zero target weight is on ${first})`);
  });
});
