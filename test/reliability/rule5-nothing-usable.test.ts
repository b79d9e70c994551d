/**
 * Rule 5: a run in which a layer produced nothing usable fails (exit 1) naming the layer and
 * why, instead of a flat "total return 0.00%" and all-zero targets with exit 0.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
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
  test('a backtest window before the data can train a model: the train layer fails naming the window, before any position or trade', () => {
    // the sample's history is too short before 2015-06-01: no training row has every feature
    const dir = csvWorkdir({ backtest: { start_date: '2015-06-01', end_date: '2015-12-31' } });
    const r = dagIn(dir, ['run', 'backtest']);
    expectLoudFailure(r, dir, 'train: the features layer produced no usable row for any of NVDA, MSFT, SPY: none of the');
    expect(r.stderr).toMatch(/failed train\[lightgbm_v1_global_h\d_v1@2015-06-01\]/);
    expect(existsSync(join(dir, 'artifacts/positions/hybrid_alpha_mvp/NVDA.parquet'))).toBe(false);
  });
});
