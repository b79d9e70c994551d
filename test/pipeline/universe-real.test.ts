/**
 * Issue 16 on the real files in ../shared/data/market: NVDA, ORCL and YHOO traded against the
 * S&P 500 index (SPX), which is the benchmark only. The files end on different days (NVDA and ORCL
 * on 2014-12-31, YHOO on 2015-12-31), so in a 2011-2015 backtest NVDA and ORCL leave a year early:
 * each is cashed out on 2014-12-31 at the Adj Close of its file's last row. Expectations come from
 * the CSV files. Skipped, with a warning, when the folder is absent.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from '../support/cli.js';
import { dagIn, makeWorkdir, SHARED_MARKET } from '../support/pipeline.js';
import { readPq, type Pq } from './l79-support.js';

const TRADED = ['NVDA', 'ORCL', 'YHOO'];
const present = [...TRADED, 'SPX'].every((t) => existsSync(join(SHARED_MARKET, `${t}.csv`)));
if (!present) console.warn(`universe-real: ${SHARED_MARKET} is absent: the real-data universe test is skipped`);
const maybe = present ? test : test.skip;
const STRATEGY = 'universe_real';

/** Last row of a Yahoo-layout file: its date and Adj Close (the processed close). */
function lastRow(ticker: string): { date: string; adjClose: number } {
  const lines = readFileSync(join(SHARED_MARKET, `${ticker}.csv`), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const row = lines.at(-1)!.split(',');
  return { date: row[0], adjClose: Number(row[header.indexOf('Adj Close')]) };
}

let dir: string;
let run: CliResult;
let trades: Pq;
let pnl: Pq;
let summary: Record<string, any>;

beforeAll(async () => {
  if (!present) return;
  dir = makeWorkdir({
    tickers: TRADED,
    benchmark: 'SPX',
    data: { source: 'csv' },
    paths: { raw: `${SHARED_MARKET}/{ticker}.csv` },
    backtest: { start_date: '2011-01-01', end_date: '2015-12-31', strategy_name: STRATEGY },
    regime: { refit_every: 252 },
    ml: { horizons: [1], params: { num_rounds: 30 } },
    risk: { max_weight: 0.25 },
  });
  run = dagIn(dir, ['run', 'backtest']);
  if (run.code !== 0) return;
  trades = await readPq(join(dir, `artifacts/backtests/${STRATEGY}/trades.parquet`));
  pnl = await readPq(join(dir, `artifacts/backtests/${STRATEGY}/pnl_timeseries.parquet`));
  summary = JSON.parse(readFileSync(join(dir, `artifacts/backtests/${STRATEGY}/summary.json`), 'utf8'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the real market with the S&P 500 as an untraded benchmark', () => {
  maybe('SPX is never traded; NVDA and ORCL are cashed out at their last Adj Close and held nothing after', () => {
    if (run.code !== 0) throw new Error(`exit ${run.code}:\n${run.stdout}\n${run.stderr}`);
    expect(new Set(trades.str.ticker)).toEqual(new Set(TRADED));
    expect(Object.keys(summary.pnl_by_ticker).sort()).toEqual(TRADED);
    expect(pnl.str.date.at(-1)).toBe(lastRow('YHOO').date);
    expect(summary.left_early).toEqual({ NVDA: '2014-12-31', ORCL: '2014-12-31' });
    expect(summary.entered_late).toEqual({});
    for (const t of ['NVDA', 'ORCL']) {
      const last = lastRow(t);
      const ks = trades.str.ticker.flatMap((x, k) => (x === t ? [k] : []));
      const k = ks.at(-1)!;
      expect(trades.str.reason[k]).toBe('delisting');
      expect(trades.str.date[k]).toBe(last.date);
      expect(trades.col.price[k]).toBeCloseTo(last.adjClose, 9);
      // net shares from the trade log: nothing left after the close-out
      const net = ks.reduce((s, i) => s + (trades.str.side[i] === 'buy' ? 1 : -1) * trades.col.quantity[i]!, 0);
      expect(Math.abs(net)).toBeLessThan(1e-6);
    }
    // in 2015 only YHOO can be held: gross exposure equals |net exposure| (one position)
    for (let i = 0; i < pnl.length; i++) {
      if (pnl.str.date[i] <= '2014-12-31') continue;
      expect(pnl.col.gross_exposure[i]).toBeCloseTo(Math.abs(pnl.col.net_exposure[i]!), 12);
    }
    expect(run.stderr).toMatch(/left early: NVDA \(last bar 2014-12-31\), ORCL \(last bar 2014-12-31\)/);
  });
});
