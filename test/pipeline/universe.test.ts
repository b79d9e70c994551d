/**
 * Issue 16, "a real universe": a 4-ticker universe on CSV files the test writes (deterministic
 * synthetic bars, stooq layout, so the processed close is the file's Close), with an untraded
 * index benchmark IDX. LATE lists 3 years after the backtest start, GONE stops 2 years before its
 * end. Every expectation is worked out from the CSV files and the settings, not from the code's
 * own outputs: the closing fill's price is GONE's last Close, positions are rebuilt from the trade
 * log and marked with the CSV closes, relative strength is recomputed from the closes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from '../support/cli.js';
import { dagIn, makeWorkdir, readSettings, writeSettings } from '../support/pipeline.js';
import { mulberry32 } from '../support/random.js';
import { readPq, type Pq } from './l79-support.js';

const TRADED = ['AAA', 'BBB', 'LATE', 'GONE'];
const BENCH = 'IDX';
const START = '2016-01-01';
const END = '2021-12-31';
const LATE_FROM = '2019-01-02'; // 3 years after the start
const GONE_UNTIL = '2019-12-31'; // 2 years before the end
const SMA = [10, 20, 50, 200];
const STRATEGY = 'universe_test';
const COST = (1 + 2) / 1e4; // the shipped commission_bps + slippage_bps

const SETTINGS = {
  tickers: TRADED,
  benchmark: BENCH,
  data: { source: 'csv' },
  paths: { raw: 'raw/{ticker}.csv' },
  backtest: { start_date: START, end_date: END, strategy_name: STRATEGY },
  features: { lookbacks: { sma: SMA } },
  regime: { min_train: 378, refit_every: 252 },
  ml: { horizons: [1], walk_forward: { min_train: 378, refit_every: 252 }, params: { num_rounds: 30 } },
  risk: { max_weight: 0.25 },
};

/** Weekdays from..to (holidays included: the files need not follow the NYSE calendar). */
function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

interface Series { dates: string[]; close: number[]; text: string }

/**
 * A stooq-layout file: the index switches between calm and turbulent spells (so the regime engine
 * has something to find); each stock loads on the index with its own trend and noise.
 */
function market(): Record<string, Series> {
  const dates = weekdays('2013-01-01', END);
  const rnd = mulberry32(16);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const idx: number[] = [];
  let vol = 0.007;
  for (let t = 0; t < dates.length; t++) {
    if (rnd() < 0.01) vol = vol === 0.007 ? 0.02 : 0.007;
    idx.push((vol === 0.007 ? 0.0005 : -0.001) + vol * normal());
  }
  const series = (rets: number[], start: number, keep: (d: string) => boolean): Series => {
    const rows: string[] = ['Date,Open,High,Low,Close,Volume'];
    const out: Series = { dates: [], close: [], text: '' };
    let p = start;
    rets.forEach((r, t) => {
      const open = p * Math.exp(0.3 * r);
      p *= Math.exp(r);
      if (!keep(dates[t])) return;
      const [o, c] = [Number(open.toFixed(6)), Number(p.toFixed(6))];
      const hi = Math.max(o, c) * 1.004;
      const lo = Math.min(o, c) * 0.996;
      rows.push(`${dates[t]},${o.toFixed(6)},${hi.toFixed(6)},${lo.toFixed(6)},${c.toFixed(6)},${Math.round(1e6 * (1 + rnd()))}`);
      out.dates.push(dates[t]);
      out.close.push(c);
    });
    out.text = `${rows.join('\n')}\n`;
    return out;
  };
  const out: Record<string, Series> = { [BENCH]: series(idx, 1000, () => true) };
  TRADED.forEach((t, k) => {
    let m = 0;
    const rets = idx.map((r) => {
      m = 0.97 * m + 0.0008 * normal();
      return 0.0002 * (k - 1) + m + (0.8 + 0.2 * k) * r + 0.012 * normal();
    });
    const keep = t === 'LATE' ? (d: string) => d >= LATE_FROM : t === 'GONE' ? (d: string) => d <= GONE_UNTIL : () => true;
    out[t] = series(rets, 20 + 30 * k, keep);
  });
  return out;
}

function writeMarket(dir: string, files: Record<string, Series>): void {
  mkdirSync(join(dir, 'raw'), { recursive: true });
  for (const [t, s] of Object.entries(files)) writeFileSync(join(dir, 'raw', `${t}.csv`), s.text);
}

const art = (dir: string, rel: string) => join(dir, 'artifacts', rel);
const failed = (r: CliResult) => new Error(`exit ${r.code}:\n${r.stdout}\n${r.stderr}`);

/** Signed shares held after each trade date, from the trade log alone. */
function holdings(trades: Pq, ticker: string): { date: string; shares: number }[] {
  const out: { date: string; shares: number }[] = [];
  let shares = 0;
  for (let k = 0; k < trades.length; k++) {
    if (trades.str.ticker[k] !== ticker) continue;
    shares += (trades.str.side[k] === 'buy' ? 1 : -1) * trades.col.quantity[k]!;
    out.push({ date: trades.str.date[k], shares });
  }
  return out;
}

let dir: string;
let files: Record<string, Series>;
let run: CliResult;
let trades: Pq;
let pnl: Pq;
let summary: Record<string, any>;

beforeAll(async () => {
  files = market();
  dir = makeWorkdir(SETTINGS);
  writeMarket(dir, files);
  run = dagIn(dir, ['run', 'backtest']);
  if (run.code !== 0) return;
  trades = await readPq(art(dir, `backtests/${STRATEGY}/trades.parquet`));
  pnl = await readPq(art(dir, `backtests/${STRATEGY}/pnl_timeseries.parquet`));
  summary = JSON.parse(readFileSync(art(dir, `backtests/${STRATEGY}/summary.json`), 'utf8'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a ticker listed 3 years after the backtest start', () => {
  test('holds no position before its first row with every feature window full, and holds positions after', async () => {
    if (run.code !== 0) throw failed(run);
    const pos = await readPq(art(dir, `positions/${STRATEGY}/LATE.parquet`));
    expect(pos.str.date).toEqual(files.LATE.dates);
    // the first row on which every feature column (labels aside) is finite, read from the features file
    const feat = await readPq(art(dir, 'features/LATE.parquet'));
    const cols = feat.names.filter((n) => n !== 'date' && !n.startsWith('target_state'));
    const full = feat.str.date.findIndex((_, i) => cols.every((c) => feat.col[c][i] !== null && Number.isFinite(feat.col[c][i])));
    // by hand: sma_200 reads 199 rows before its own, the longest window configured
    expect(full).toBe(Math.max(...SMA) - 1);
    const w = pos.col.target_weight;
    const first = w.findIndex((x) => x !== 0 && x !== null);
    expect(first).toBeGreaterThanOrEqual(full);
    expect(first).toBeLessThan(full + 40); // it does enter, soon after
    const lateTrades = trades.str.date.filter((_, k) => trades.str.ticker[k] === 'LATE');
    expect(lateTrades.length).toBeGreaterThan(0);
    // a weight decided at the close of its first eligible row trades the next day at the earliest
    expect(lateTrades[0] > files.LATE.dates[full]).toBe(true);
  });
});

describe('a ticker whose history stops 2 years before the backtest end', () => {
  test('is closed on its last bar at that bar\'s close, with the configured costs, in trades.parquet', () => {
    if (run.code !== 0) throw failed(run);
    const last = files.GONE.dates.at(-1)!;
    expect(last).toBe(GONE_UNTIL);
    const k = trades.str.reason.findIndex((r, i) => r === 'delisting' && trades.str.ticker[i] === 'GONE');
    expect(k).toBeGreaterThanOrEqual(0);
    expect(trades.str.date[k]).toBe(last);
    expect(trades.col.price[k]).toBe(files.GONE.close.at(-1)); // the CSV's Close on the last bar
    // the whole position: what the earlier trades had built up
    const held = holdings(trades, 'GONE');
    expect(held.length).toBeGreaterThan(1);
    const beforeClose = held[held.length - 2]!.shares; // after every trade but the last
    expect(trades.col.quantity[k]).toBeCloseTo(Math.abs(beforeClose), 9);
    expect(trades.str.side[k]).toBe(beforeClose > 0 ? 'sell' : 'buy');
    expect(trades.col.cost[k]).toBeCloseTo(COST * Math.abs(beforeClose) * files.GONE.close.at(-1)!, 6);
    expect(held.at(-1)!.shares).toBeCloseTo(0, 9);
    expect(held.at(-1)!.date).toBe(last);
    expect(trades.str.reason.filter((r) => r === 'delisting')).toHaveLength(1);
    expect(new Set(trades.str.reason.filter((r) => r !== 'delisting'))).toEqual(new Set(['rebalance']));
    expect(run.stderr + run.stdout).toMatch(new RegExp(`GONE: last bar ${last}, before the backtest's last date ${pnl.str.date.at(-1)} \\(delisted\\): position of .* shares closed at its close`));
  });

  test('latest.json hands on no target for it: its history has ended, target 0, the other tickers current', async () => {
    if (run.code !== 0) throw failed(run);
    const latest = JSON.parse(readFileSync(art(dir, `positions/${STRATEGY}/latest.json`), 'utf8'));
    const asOf = pnl.str.date.at(-1)!;
    expect(latest.as_of).toBe(asOf);
    const positions = await readPq(art(dir, `positions/${STRATEGY}/GONE.parquet`));
    // its last row's target, which the backtest cashed out at the last bar (non-zero, or the test proves nothing)
    expect(Math.abs(positions.col.target_weight.at(-1)!)).toBeGreaterThan(0);
    expect(latest.positions.GONE).toMatchObject({ as_of: GONE_UNTIL, status: 'ended', target_weight: 0, target_dollar_pos: 0 });
    // every NYSE session after 2019-12-31 up to the last date is missing: far more than max_gap_days 20
    expect(latest.positions.GONE.missing_sessions).toBeGreaterThan(500);
    for (const t of ['AAA', 'BBB', 'LATE']) expect(latest.positions[t]).toMatchObject({ as_of: asOf, status: 'current' });
    expect(run.stderr + run.stdout).toContain(`GONE: no bar for ${latest.positions.GONE.missing_sessions} sessions since ${GONE_UNTIL} (more than data.max_gap_days 20): its history has ended, target 0 (backtest.on_delisting: close)`);
  });

  test('the equity curve carries no stale mark: gross exposure is the other tickers\' positions at their closes', () => {
    if (run.code !== 0) throw failed(run);
    // positions rebuilt from the trade log, marked at the CSV closes (the last close when a ticker has no bar)
    const closeOn = Object.fromEntries(TRADED.map((t) => [t, new Map(files[t].dates.map((d, i) => [d, files[t].close[i]]))]));
    const shares = Object.fromEntries(TRADED.map((t) => [t, 0]));
    const mark = Object.fromEntries(TRADED.map((t) => [t, NaN]));
    let k = 0;
    let after = 0;
    for (let i = 0; i < pnl.length; i++) {
      const d = pnl.str.date[i];
      for (; k < trades.length && trades.str.date[k] === d; k++) shares[trades.str.ticker[k]] += (trades.str.side[k] === 'buy' ? 1 : -1) * trades.col.quantity[k]!;
      let gross = 0;
      for (const t of TRADED) {
        if (closeOn[t].has(d)) mark[t] = closeOn[t].get(d)!;
        if (Math.abs(shares[t]) > 1e-9) gross += Math.abs(shares[t] * mark[t]);
      }
      expect(gross / pnl.col.equity[i]!).toBeCloseTo(pnl.col.gross_exposure[i]!, 9);
      if (d > GONE_UNTIL) {
        after++;
        expect(Math.abs(shares.GONE)).toBeLessThan(1e-9);
      }
    }
    expect(k).toBe(trades.length);
    expect(after).toBeGreaterThan(400);
  });

  test('the console summary and the report list the late and the early tickers; summary.json has them', () => {
    if (run.code !== 0) throw failed(run);
    expect(summary.entered_late).toEqual({ LATE: files.LATE.dates[0] });
    expect(summary.left_early).toEqual({ GONE: GONE_UNTIL });
    expect(run.stderr + run.stdout).toMatch(new RegExp(`entered late: LATE \\(first bar ${files.LATE.dates[0]}\\); left early: GONE \\(last bar ${GONE_UNTIL}\\)`));
    expect(readFileSync(art(dir, `backtests/${STRATEGY}/report.html`), 'utf8')).toContain(`Entered late: LATE (first bar ${files.LATE.dates[0]}). Left early: GONE (last bar ${GONE_UNTIL}).`);
  });
});

describe('an untraded index benchmark', () => {
  test('is processed and feeds relative strength and the benchmark return, but is never sized or traded', async () => {
    if (run.code !== 0) throw failed(run);
    expect(trades.str.ticker).not.toContain(BENCH);
    expect(existsSync(art(dir, `processed/${BENCH}.parquet`))).toBe(true);
    for (const layer of ['features', 'signals', 'predictions', `positions/${STRATEGY}`]) expect(existsSync(art(dir, `${layer}/${BENCH}.parquet`))).toBe(false);
    expect(Object.keys(summary.pnl_by_ticker).sort()).toEqual([...TRADED].sort());
    const latest = JSON.parse(readFileSync(art(dir, `positions/${STRATEGY}/latest.json`), 'utf8'));
    expect(Object.keys(latest.positions).sort()).toEqual([...TRADED].sort());
    // rs_20 of AAA = its 20-day return minus IDX's over the same dates, from the CSV closes
    const feat = await readPq(art(dir, 'features/AAA.parquet'));
    const a = files.AAA.close;
    const b = files[BENCH].close;
    expect(files.AAA.dates).toEqual(files[BENCH].dates);
    for (const i of [20, 500, 1000, a.length - 1]) expect(feat.col.rs_20[i]).toBeCloseTo(a[i] / a[i - 20] - 1 - (b[i] / b[i - 20] - 1), 12);
    // the benchmark return is IDX's close to close
    const bi = files[BENCH].dates.indexOf(pnl.str.date[1]);
    expect(pnl.col.benchmark_return[1]).toBeCloseTo(b[bi] / b[bi - 1] - 1, 12);
    expect(pnl.str.regime.filter((r) => r !== '').length).toBe(pnl.length);
  });

  test('gives the regimes it gives as a traded ticker', () => {
    if (run.code !== 0) throw failed(run);
    const other = makeWorkdir({ ...SETTINGS, tickers: [...TRADED, BENCH] });
    try {
      writeMarket(other, files);
      const r = dagIn(other, ['run', 'regime']);
      if (r.code !== 0) throw failed(r);
      expect(readFileSync(art(other, `regimes/${BENCH}.parquet`))).toEqual(readFileSync(art(dir, `regimes/${BENCH}.parquet`)));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('backtest.on_delisting', () => {
  test('hold keeps the position at its last close: no closing trade, the exposure stays', async () => {
    if (run.code !== 0) throw failed(run);
    const s = readSettings(dir);
    s.backtest.on_delisting = 'hold';
    writeSettings(dir, s);
    try {
      const r = dagIn(dir, ['run', 'backtest']);
      if (r.code !== 0) throw failed(r);
      expect(r.stderr + r.stdout).toMatch(/GONE: last bar 2019-12-31, .* position held at its last close \(backtest.on_delisting: hold\)/);
      const held = await readPq(art(dir, `backtests/${STRATEGY}/trades.parquet`));
      expect(held.str.reason).not.toContain('delisting');
      const g = holdings(held, 'GONE');
      expect(g.at(-1)!.date <= GONE_UNTIL).toBe(true);
      expect(Math.abs(g.at(-1)!.shares)).toBeGreaterThan(0);
      // latest.json keeps the last target too, and says the history has ended
      const latest = JSON.parse(readFileSync(art(dir, `positions/${STRATEGY}/latest.json`), 'utf8'));
      const positions = await readPq(art(dir, `positions/${STRATEGY}/GONE.parquet`));
      expect(latest.positions.GONE).toMatchObject({ as_of: GONE_UNTIL, status: 'ended', target_weight: positions.col.target_weight.at(-1) });
    } finally {
      delete s.backtest.on_delisting;
      writeSettings(dir, s);
    }
  });

  test('an unknown value is a settings error naming the key, before anything runs', () => {
    const s = readSettings(dir);
    writeSettings(dir, { ...s, backtest: { ...s.backtest, on_delisting: 'sell' } });
    try {
      const r = dagIn(dir, ['run', 'backtest']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/backtest\.on_delisting: Invalid option: expected one of "close"\|"hold"/);
    } finally {
      writeSettings(dir, s);
    }
  });

  test('a missing benchmark file fails its processed instance naming the file and the ticker, and writes no backtest', () => {
    const other = makeWorkdir(SETTINGS);
    try {
      writeMarket(other, Object.fromEntries(TRADED.map((t) => [t, files[t]])));
      const r = dagIn(other, ['run', 'backtest']);
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/processed\[IDX\].*no raw data for ticker IDX: raw\/IDX\.csv does not exist/);
      expect(existsSync(art(other, `backtests/${STRATEGY}/summary.json`))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
