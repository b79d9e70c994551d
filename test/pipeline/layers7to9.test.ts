/**
 * Layers 7-9 end to end through the real CLI (`dag run backtest` on a temp work folder with the
 * SMALL sample market): every artifact of the meta-model, sizing, backtest and report, checked
 * against independent computations from the upstream artifacts read with DuckDB.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mean, sampleCovariance, sampleStandardDeviation, sampleVariance } from 'simple-statistics';
import type { CliResult } from '../support/cli.js';
import { dagIn, deepMerge, makeWorkdir, readSettings, SMALL } from '../support/pipeline.js';
import { CHROMIUM, expectCleanAndDrawn, haveChromium, inspectReport } from '../support/browser.js';
import { art, byDate, COMPONENTS, readPq, referenceAlpha, referenceWeights, regimeTable, type Pq } from './l79-support.js';

// max_gross below 3 x max_weight so the gross cap actually binds on some dates
const dir = makeWorkdir(deepMerge(SMALL, { risk: { max_gross: 0.15 } }));
const settings = readSettings(dir);
const TICKERS: string[] = settings.tickers;
const STRATEGY: string = settings.backtest.strategy_name;
const BT = `artifacts/backtests/${STRATEGY}`;

let first: CliResult;
let firstJson: { executed: number; skipped: number; failed: number; instances: { node: string; ticker: string | null; action: string }[] };
let second: { executed: number; skipped: number; failed: number };
const meta: Record<string, Pq> = {};
const pos: Record<string, Pq> = {};
let pnl: Pq;
let trades: Pq;
let summary: Record<string, any>;

beforeAll(async () => {
  first = dagIn(dir, ['run', 'backtest', '--json']);
  if (first.code !== 0) throw new Error(`dag run backtest failed (${first.code}):\n${first.stdout}\n${first.stderr}`);
  firstJson = JSON.parse(first.stdout);
  const again = dagIn(dir, ['run', 'backtest', '--json']);
  second = JSON.parse(again.stdout);
  for (const t of TICKERS) {
    meta[t] = await readPq(art(dir, `meta/alpha_scores/${t}.parquet`));
    pos[t] = await readPq(art(dir, `positions/${STRATEGY}/${t}.parquet`));
  }
  pnl = await readPq(`${dir}/${BT}/pnl_timeseries.parquet`);
  trades = await readPq(`${dir}/${BT}/trades.parquet`);
  summary = JSON.parse(readFileSync(`${dir}/${BT}/summary.json`, 'utf8'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dag run backtest: every artifact of layers 7-9, then nothing to do', () => {
  test('the first run executes all nine layers without failure', () => {
    expect(firstJson.failed).toBe(0);
    const ran = new Set(firstJson.instances.filter((i) => i.action === 'ran').map((i) => i.node));
    for (const n of ['sample', 'processed', 'features', 'signals', 'regime', 'train', 'predict', 'meta', 'positions', 'backtest', 'report']) expect(ran).toContain(n);
    expect(firstJson.executed).toBe(firstJson.instances.length);
  });

  test('a second run executes nothing', () => {
    expect(second.failed).toBe(0);
    expect(second.executed).toBe(0);
    expect(second.skipped).toBe(firstJson.instances.length);
  });

  test('alpha_scores: alpha_score in [-1, 1], the contributions sum to it, missing only in the regime warm-up', () => {
    for (const t of TICKERS) {
      const m = meta[t];
      expect(m.names).toEqual(['date', 'alpha_score', ...COMPONENTS.map((c) => `contrib_${c}`)]);
      let present = 0;
      for (let i = 0; i < m.length; i++) {
        const a = m.col.alpha_score[i];
        const parts = COMPONENTS.map((c) => m.col[`contrib_${c}`][i]);
        if (a === null) {
          expect(parts).toEqual(parts.map(() => null));
          continue;
        }
        present++;
        expect(Math.abs(a)).toBeLessThanOrEqual(1);
        const sum = parts.reduce<number>((s, x) => s + (x as number), 0);
        expect(Math.abs(sum - a)).toBeLessThan(1e-12);
      }
      // every backtest date has a score
      const scored = new Set(m.str.date.filter((_, i) => m.col.alpha_score[i] !== null));
      for (const d of pnl.str.date) expect(scored.has(d)).toBe(true);
      expect(present).toBeGreaterThan(pnl.length - 1);
    }
  });

  test('positions: finite target_weight within ±risk.max_weight, dollar position from initial capital', () => {
    const { max_weight } = settings.risk;
    for (const t of TICKERS) {
      const p = pos[t];
      expect(p.names).toEqual(['date', 'alpha_score', 'realized_vol', 'target_weight', 'target_dollar_pos']);
      expect(p.str.date).toEqual(meta[t].str.date);
      for (let i = 0; i < p.length; i++) {
        const w = p.col.target_weight[i];
        expect(w !== null && Number.isFinite(w)).toBe(true);
        expect(Math.abs(w!)).toBeLessThanOrEqual(max_weight + 1e-15);
        expect(p.col.target_dollar_pos[i]).toBeCloseTo(w! * settings.backtest.initial_capital, 6);
      }
      expect(p.col.target_weight.some((w) => w !== 0)).toBe(true);
    }
  });

  test('trades.parquet and pnl_timeseries.parquet have the listed columns and consistent rows', () => {
    expect(trades.names).toEqual(['date', 'ticker', 'side', 'quantity', 'weight_change', 'price', 'notional', 'cost', 'reason']);
    expect(trades.length).toBeGreaterThan(0);
    const k = (settings.backtest.commission_bps + settings.backtest.slippage_bps) / 1e4;
    for (let i = 0; i < trades.length; i++) {
      expect(TICKERS).toContain(trades.str.ticker[i]);
      expect(['buy', 'sell']).toContain(trades.str.side[i]);
      // every ticker trades to the last date here: nothing is delisted
      expect(trades.str.reason[i]).toBe('rebalance');
      expect(Math.sign(trades.col.weight_change[i]!)).toBe(trades.str.side[i] === 'buy' ? 1 : -1);
      expect(trades.col.notional[i]).toBeCloseTo(trades.col.quantity[i]! * trades.col.price[i]!, 6);
      expect(trades.col.cost[i]).toBeCloseTo(k * trades.col.notional[i]!, 9);
    }
    expect(pnl.names).toEqual(['date', 'equity', 'return', 'benchmark_return', 'gross_exposure', 'net_exposure', 'turnover', 'drawdown', 'regime']);
    expect(pnl.str.date[0] >= settings.backtest.start_date).toBe(true);
    expect(pnl.str.date.at(-1)! <= settings.backtest.end_date).toBe(true);
    expect(pnl.str.date.at(-1)).toBe('2020-12-31');
    let peak = -Infinity;
    for (let i = 0; i < pnl.length; i++) {
      const eq = pnl.col.equity[i]!;
      expect(Number.isFinite(eq)).toBe(true);
      if (i > 0) expect(pnl.col.return[i]).toBeCloseTo(eq / pnl.col.equity[i - 1]! - 1, 12);
      peak = Math.max(peak, eq);
      expect(pnl.col.drawdown[i]).toBeCloseTo(eq / peak - 1, 12);
      expect(pnl.col.gross_exposure[i]! + 1e-12).toBeGreaterThanOrEqual(Math.abs(pnl.col.net_exposure[i]!));
      expect(['bull', 'neutral', 'bear']).toContain(pnl.str.regime[i]);
    }
    // trades happen only on backtest dates after the first (a decision at t executes at t+1)
    const dates = new Set(pnl.str.date.slice(1));
    for (const d of trades.str.date) expect(dates.has(d)).toBe(true);
  });

  test('summary.json has every listed metric, and the main ones match the pnl table', () => {
    const numeric = ['total_return', 'cagr', 'volatility', 'sharpe', 'sortino', 'max_drawdown', 'max_drawdown_duration', 'calmar', 'win_rate',
      'profitable_round_trips', 'avg_turnover', 'avg_gross_exposure', 'beta', 'alpha'];
    for (const k of numeric) {
      expect(typeof summary[k]).toBe('number');
      expect(Number.isFinite(summary[k])).toBe(true);
    }
    for (const k of ['pnl_by_regime', 'pnl_by_component', 'pnl_by_ticker']) expect(typeof summary[k]).toBe('object');
    // a universe whose every ticker spans the window
    expect(summary.entered_late).toEqual({});
    expect(summary.left_early).toEqual({});
    expect(Object.keys(summary.pnl_by_ticker).sort()).toEqual([...TICKERS].sort());
    for (const c of COMPONENTS) expect(typeof summary.pnl_by_component[c]).toBe('number');

    const eq = pnl.col.equity as number[];
    const r = (pnl.col.return as number[]).slice(1);
    const initial = settings.backtest.initial_capital;
    const pnlTotal = eq.at(-1)! - initial;
    expect(summary.total_return).toBeCloseTo(eq.at(-1)! / initial - 1, 12);
    expect(summary.cagr).toBeCloseTo((eq.at(-1)! / initial) ** (252 / r.length) - 1, 12);
    expect(summary.volatility).toBeCloseTo(sampleStandardDeviation(r) * Math.sqrt(252), 12);
    expect(summary.sharpe).toBeCloseTo((mean(r) / sampleStandardDeviation(r)) * Math.sqrt(252), 10);
    expect(summary.max_drawdown).toBeCloseTo(Math.min(0, ...eq.map((e, i) => e / Math.max(initial, ...eq.slice(0, i + 1)) - 1)), 12);
    expect(summary.win_rate).toBeCloseTo(r.filter((x) => x > 0).length / r.filter((x) => x !== 0).length, 12);
    const b = (pnl.col.benchmark_return as number[]).slice(1);
    expect(summary.beta).toBeCloseTo(sampleCovariance(r, b) / sampleVariance(b), 10);
    // cash earns nothing here: the ticker PnLs and the regime PnLs both add up to the equity change
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, x) => a + x, 0);
    expect(sum(summary.pnl_by_ticker)).toBeCloseTo(pnlTotal, 4);
    expect(sum(summary.pnl_by_regime)).toBeCloseTo(pnlTotal, 4);
    expect(sum(summary.pnl_by_component)).toBeCloseTo(pnlTotal, 4);
  });

  test('report.html is written', () => {
    const file = `${dir}/${BT}/report.html`;
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(readFileSync(file, 'utf8')).toContain('<svg');
  });
});

describe('meta-model at pipeline level', () => {
  test('alpha_score and contributions equal the probability-weighted mix of config/regimes.yaml rows', async () => {
    const W = regimeTable(dir);
    const regimes = await readPq(art(dir, `regimes/${settings.benchmark}.parquet`));
    expect(Object.keys(W).sort()).toEqual(regimes.names.filter((n) => n.startsWith('p_')).map((n) => n.slice(2)).sort());
    const probs = Object.fromEntries(Object.keys(W).map((r) => [r, byDate(regimes, `p_${r}`)]));
    let compared = 0;
    let mixed = 0;
    let argmaxDiffers = 0;
    for (const t of TICKERS) {
      const sig = await readPq(art(dir, `signals/${t}.parquet`));
      const pred = await readPq(art(dir, `predictions/${t}.parquet`));
      const ml = byDate(pred, 'ml_score');
      const m = meta[t];
      expect(sig.str.date).toEqual(m.str.date);
      for (let i = 0; i < m.length; i++) {
        const d = m.str.date[i];
        const x: Record<string, number | null> = { ml_score: ml.get(d) ?? null };
        for (const c of COMPONENTS.slice(0, 4)) x[c] = sig.col[c][i];
        const p = Object.fromEntries(Object.keys(W).map((r) => [r, probs[r].get(d) ?? null]));
        const ref = referenceAlpha(x, p, W);
        if (ref.alpha === null) {
          expect(m.col.alpha_score[i]).toBeNull();
          continue;
        }
        expect(Math.abs(m.col.alpha_score[i]! - ref.alpha)).toBeLessThan(1e-12);
        for (const c of COMPONENTS) expect(Math.abs(m.col[`contrib_${c}`][i]! - ref.contrib[c]!)).toBeLessThan(1e-12);
        compared++;
        if (Math.max(...Object.values(p).map(Number)) < 0.9) mixed++;
        if (Math.abs(referenceAlpha(x, p, W, true).alpha! - ref.alpha) > 1e-6) argmaxDiffers++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
    // dates with a real blend of regimes exist, and on them the most-likely-regime-only rule would differ
    expect(mixed).toBeGreaterThan(10);
    expect(argmaxDiffers).toBeGreaterThan(10);
  });
});

describe('sizing at pipeline level', () => {
  test('target_weight equals vol-targeting of alpha_score with rv_20, clamped, then the gross cap across tickers', async () => {
    const risk = settings.risk;
    const inputs: Parameters<typeof referenceWeights>[0] = {};
    for (const t of TICKERS) {
      const feat = await readPq(art(dir, `features/${t}.parquet`));
      inputs[t] = { dates: meta[t].str.date, alpha: meta[t].col.alpha_score, vol: byDate(feat, `rv_${risk.vol_window ?? 20}`) };
    }
    const { weights, capped } = referenceWeights(inputs, { long_only: false, min_vol: 0.02, max_gross: 1, ...risk });
    expect(capped).toBeGreaterThan(10); // the gross rule is exercised
    let nonzero = 0;
    for (const t of TICKERS) {
      const p = pos[t];
      const vol = inputs[t].vol;
      for (let i = 0; i < p.length; i++) {
        const d = p.str.date[i];
        expect(Math.abs(p.col.target_weight[i]! - weights[t].get(d)!)).toBeLessThan(1e-15);
        expect(p.col.realized_vol[i]).toBe(vol.get(d) ?? null);
        if (weights[t].get(d) !== 0) nonzero++;
      }
    }
    expect(nonzero).toBeGreaterThan(1000);
    // gross of every date within max_gross
    for (const d of pnl.str.date) {
      const gross = TICKERS.reduce((s, t) => s + Math.abs(weights[t].get(d) ?? 0), 0);
      expect(gross).toBeLessThanOrEqual(risk.max_gross + 1e-12);
    }
  });
});

describe('CLI output', () => {
  test('dag run backtest logs the key metrics at the end, matching summary.json', () => {
    const m = new RegExp(`${STRATEGY}.*total return (-?[\\d.]+)%.*CAGR (-?[\\d.]+)%.*Sharpe (-?[\\d.]+).*max drawdown (-?[\\d.]+)%`).exec(first.stderr);
    expect(m).not.toBeNull();
    const [, total, cagr, sharpe, mdd] = m!.map(Number);
    expect(total).toBeCloseTo(100 * summary.total_return, 2);
    expect(cagr).toBeCloseTo(100 * summary.cagr, 2);
    expect(sharpe).toBeCloseTo(summary.sharpe, 2);
    expect(mdd).toBeCloseTo(100 * summary.max_drawdown, 2);
  });
});

if (!haveChromium) console.warn(`layers7to9: report browser test skipped: ${CHROMIUM} not found (CI installs chromium)`);
const browserTest = haveChromium ? test : test.skip;

describe('report.html from the pipeline in headless Chromium', () => {
  browserTest('loads without console errors or network requests, and every chart is drawn', async () => {
    const file = `${dir}/${BT}/report.html`;
    const page = await inspectReport(file);
    expectCleanAndDrawn(page, file);
    // the summary table shows this run's figures
    expect(page.text).toContain(STRATEGY);
    expect(page.text).toContain(`${(100 * summary.total_return).toFixed(2)}%`);
  });
});
