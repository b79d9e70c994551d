/**
 * All nine layers on the real files in ../shared/data/market (NVDA, ORCL, YHOO and the SPX
 * benchmark), through `dag run backtest --config` with the committed config/real-market.yaml
 * (paths.raw made absolute since the test runs in a temp folder; backtest 2005-01-01 ..
 * 2014-12-31; fewer boosting rounds to keep the test quick). Skipped, with a warning, when the
 * folder is absent.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CliResult } from '../support/cli.js';
import { dagIn, deepMerge, makeWorkdir, REPO, SHARED_MARKET } from '../support/pipeline.js';
import { readPq, type Pq } from './l79-support.js';

const TICKERS = ['NVDA', 'ORCL', 'YHOO', 'SPX'];
const present = TICKERS.every((t) => existsSync(join(SHARED_MARKET, `${t}.csv`)));
if (!present) console.warn(`l79-real: ${SHARED_MARKET} is absent: the real-data backtest test is skipped`);
const maybe = present ? test : test.skip;

let dir: string;
let result: CliResult;
let summary: Record<string, any>;
let pnl: Pq;
let strategy: string;

beforeAll(async () => {
  if (!present) return;
  const real = parse(readFileSync(join(REPO, 'config/real-market.yaml'), 'utf8')) as Record<string, any>;
  const settings = deepMerge(real, {
    tickers: TICKERS,
    benchmark: 'SPX',
    data: { source: 'csv' },
    paths: { raw: `${SHARED_MARKET}/{ticker}.csv` },
    backtest: { start_date: '2005-01-01', end_date: '2014-12-31' },
    ml: { params: { num_rounds: 60 } },
  });
  dir = makeWorkdir(settings);
  strategy = (settings.backtest as { strategy_name: string }).strategy_name;
  result = dagIn(dir, ['run', 'backtest']);
  const file = join(dir, `artifacts/backtests/${strategy}/summary.json`);
  if (existsSync(file)) summary = JSON.parse(readFileSync(file, 'utf8'));
  if (result.code === 0) pnl = await readPq(join(dir, `artifacts/backtests/${strategy}/pnl_timeseries.parquet`));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dag run backtest on the real market files', () => {
  maybe('exits 0 and writes summary.json with a finite Sharpe ratio over 2005-2014', () => {
    if (result.code !== 0) throw new Error(`exit ${result.code}:\n${result.stdout}\n${result.stderr}`);
    expect(Number.isFinite(summary.sharpe)).toBe(true);
    expect(summary.start_date).toBe('2005-01-03'); // first trading day of 2005
    expect(summary.end_date).toBe('2014-12-31');
    expect(Object.keys(summary.pnl_by_ticker).sort()).toEqual([...TICKERS].sort());
    expect(existsSync(join(dir, `artifacts/backtests/${strategy}/report.html`))).toBe(true);
    expect(result.stderr).toMatch(new RegExp(`${strategy}.*total return .*Sharpe`));
  });

  maybe('the benchmark return is the S&P 500 index move read straight from SPX.csv', () => {
    const lines = readFileSync(join(SHARED_MARKET, 'SPX.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const close = new Map(lines.slice(1).map((l) => {
      const f = l.split(',');
      return [f[header.indexOf('date')], Number(f[header.indexOf('adjclose')])] as const;
    }));
    const first = close.get(pnl.str.date[0])!;
    const last = close.get(pnl.str.date.at(-1)!)!;
    expect(Math.abs(summary.benchmark_total_return - (last / first - 1))).toBeLessThan(1e-9);
    // every SPX trading day of the window is a backtest day
    const spxDays = [...close.keys()].filter((d) => d >= '2005-01-01' && d <= '2014-12-31');
    expect(pnl.str.date).toEqual(spxDays);
  });
});
