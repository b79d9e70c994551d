/**
 * Layers 7-9 under config changes, through the real CLI on one SMALL work folder:
 * - doubling backtest.commission_bps makes only the backtest and its report stale, and the net
 *   equity falls by exactly the extra costs compounded forward (derivation below);
 * - changing risk.max_weight makes only sizing and what is downstream of it stale;
 * - risk.long_only gives weights that are the reference sizing with negatives removed.
 *
 * Exact accounting checked (next_open, cash_rate 0, every ticker has a bar every day): on each
 * execution date t >= 1 the book is re-set to h_i = w_i(t-1) * E_t / o_i(t), where E_t is the
 * equity at the opens before trading and w(t-1) the target weights decided at the close of t-1.
 * With C_t = sum of the day's costs,
 *   equity_close(t) = E_t * (1 + A_t) - C_t,   A_t = sum_i w_i(t-1) * (c_i(t) / o_i(t) - 1)
 *   E_{t+1}         = E_t * (1 + R_t) - C_t,   R_t = sum_i w_i(t-1) * (o_i(t+1) / o_i(t) - 1)
 * and E_1 = initial capital. A_t and R_t depend only on weights and prices, which a cost change
 * leaves alone, so for two runs A (k_A) and B (k_B = k_A + dk) the difference D = E^A - E^B obeys
 * D_{t+1} = D_t (1 + R_t) + (C^B_t - C^A_t), hence
 *   final^A - final^B = sum_t (C^B_t - C^A_t) * G_t,   G_t = prod_{s=t+1}^{T-1} (1 + R_s) * (1 + A_T)  (G_T = 1)
 * with C^B_t - C^A_t = dk * N^B_t + k_A * (N^B_t - N^A_t): the traded notional times the extra
 * cost, compounded forward, plus the second-order saving from trading a slightly smaller book.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, deepMerge, makeWorkdir, readSettings, SMALL, writeSettings } from '../support/pipeline.js';
import { art, byDate, descendants, readPq, referenceWeights, type Pq } from './l79-support.js';

const dir = makeWorkdir(SMALL);
const base = readSettings(dir);
const TICKERS: string[] = base.tickers;
const STRATEGY: string = base.backtest.strategy_name;
const UPSTREAM = ['sample', 'processed', 'features', 'signals', 'regime', 'train', 'predict', 'meta'];

type StatusRow = { node: string; ticker: string | null; state: string; reasons: string[] };
type RunJson = { executed: number; failed: number; instances: { node: string; ticker: string | null; action: string }[] };

interface RunData { pnl: Pq; trades: Pq; final: number; k: number }
let runA: RunData;
let runB: RunData;
let statusCommission: StatusRow[];
let statusMaxWeight: StatusRow[];
let ranB: RunJson;
let ranC: RunJson;
let ranD: RunJson;
let hashesA: Record<string, string>;
let hashesB: Record<string, string>;
const bars: Record<string, { open: Map<string, number | null>; close: Map<string, number | null> }> = {};
const weights: Record<string, Map<string, number | null>> = {};

/** sha256 of every artifact file (the run log and cache state excluded), by relative path. */
function artifactHashes(): Record<string, string> {
  const out: Record<string, string> = {};
  const root = join(dir, 'artifacts');
  for (const rel of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (rel.startsWith('.dag')) continue;
    try {
      out[rel] = createHash('sha256').update(readFileSync(join(root, rel))).digest('hex');
    } catch {
      /* a directory */
    }
  }
  return out;
}

function run(): RunJson {
  const r = dagIn(dir, ['run', 'backtest', '--json']);
  if (r.code !== 0) throw new Error(`dag run backtest failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}
function status(): StatusRow[] {
  const r = dagIn(dir, ['status', '--json']);
  if (r.code !== 0) throw new Error(`dag status failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout).instances;
}
async function readRun(settings: Record<string, any>): Promise<RunData> {
  const bt = `artifacts/backtests/${STRATEGY}`;
  const pnl = await readPq(`${dir}/${bt}/pnl_timeseries.parquet`);
  const trades = await readPq(`${dir}/${bt}/trades.parquet`);
  return { pnl, trades, final: pnl.col.equity.at(-1)!, k: (settings.backtest.commission_bps + settings.backtest.slippage_bps) / 1e4 };
}

beforeAll(async () => {
  run();
  runA = await readRun(base);
  hashesA = artifactHashes();
  for (const t of TICKERS) {
    const p = await readPq(art(dir, `processed/${t}.parquet`));
    bars[t] = { open: byDate(p, 'open'), close: byDate(p, 'close') };
    weights[t] = byDate(await readPq(art(dir, `positions/${STRATEGY}/${t}.parquet`)), 'target_weight');
  }

  const doubled = deepMerge(base, { backtest: { commission_bps: 2 * base.backtest.commission_bps } });
  writeSettings(dir, doubled);
  statusCommission = status();
  ranB = run();
  runB = await readRun(doubled);
  hashesB = artifactHashes();

  writeSettings(dir, deepMerge(doubled, { risk: { max_weight: base.risk.max_weight / 2 } }));
  statusMaxWeight = status();
  ranC = run();

  writeSettings(dir, deepMerge(doubled, { risk: { max_weight: base.risk.max_weight / 2, long_only: true } }));
  ranD = run();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const stale = (rows: StatusRow[]) => [...new Set(rows.filter((r) => r.state !== 'fresh').map((r) => r.node))].sort();
const ranNodes = (r: RunJson) => [...new Set(r.instances.filter((i) => i.action === 'ran').map((i) => i.node))].sort();

describe('staleness', () => {
  test('doubling commission_bps: only backtest and report are stale; sample .. positions stay fresh', () => {
    expect(stale(statusCommission)).toEqual(['backtest', ...descendants('backtest')].sort());
    expect(stale(statusCommission)).toEqual(['backtest', 'report']);
    for (const n of [...UPSTREAM, 'positions']) expect(statusCommission.filter((r) => r.node === n).every((r) => r.state === 'fresh')).toBe(true);
    const why = statusCommission.find((r) => r.node === 'backtest')!.reasons.join('; ');
    expect(why).toMatch(/commission_bps/);
    expect(ranNodes(ranB)).toEqual(['backtest', 'report']);
  });

  test('doubling commission_bps rewrites only the backtest outputs; every other artifact keeps its bytes', () => {
    expect(Object.keys(hashesB).sort()).toEqual(Object.keys(hashesA).sort());
    const changed = Object.keys(hashesA).filter((f) => hashesA[f] !== hashesB[f]).sort();
    const bt = `backtests/${STRATEGY}/`;
    expect(changed).toEqual([`${bt}pnl_timeseries.parquet`, `${bt}report.html`, `${bt}summary.json`, `${bt}trades.parquet`]);
    expect(Object.keys(hashesA).filter((f) => f.startsWith('positions/') || f.startsWith('meta/')).length).toBeGreaterThan(2 * TICKERS.length - 1);
  });

  test('changing risk.max_weight: only positions and its dependents (backtest, report, latest) are stale', () => {
    const expected = ['positions', ...descendants('positions')].sort();
    expect(expected).toEqual(expect.arrayContaining(['positions', 'backtest', 'report']));
    expect(stale(statusMaxWeight)).toEqual(expected);
    for (const n of UPSTREAM) expect(statusMaxWeight.filter((r) => r.node === n).every((r) => r.state === 'fresh')).toBe(true);
    expect(ranNodes(ranC)).toEqual(expected);
    expect(ranNodes(ranD)).toEqual(expected);
  });
});

/** Recompute the run's equity from weights, prices and its own cost column (see the header). */
function replay(r: RunData) {
  const dates = r.pnl.str.date;
  const n = dates.length;
  const C = new Float64Array(n);
  const N = new Float64Array(n);
  const idx = new Map(dates.map((d, i) => [d, i]));
  for (let j = 0; j < r.trades.length; j++) {
    const t = idx.get(r.trades.str.date[j])!;
    C[t] += r.trades.col.cost[j]!;
    N[t] += r.trades.col.notional[j]!;
  }
  const A = new Float64Array(n);
  const R = new Float64Array(n);
  for (let t = 1; t < n; t++) {
    for (const tk of TICKERS) {
      const w = weights[tk].get(dates[t - 1])!;
      const o = bars[tk].open.get(dates[t])!;
      const c = bars[tk].close.get(dates[t])!;
      A[t] += w * (c / o - 1);
      if (t + 1 < n) R[t] += w * (bars[tk].open.get(dates[t + 1])! / o - 1);
    }
  }
  const close = new Float64Array(n);
  close[0] = base.backtest.initial_capital;
  let E = base.backtest.initial_capital;
  for (let t = 1; t < n; t++) {
    close[t] = E * (1 + A[t]) - C[t];
    E = E * (1 + R[t]) - C[t];
  }
  return { C, N, A, R, close };
}

describe('costs', () => {
  test('the inputs of the replay are complete: a bar and a weight for every ticker on every backtest date', () => {
    for (const tk of TICKERS) {
      for (const d of runA.pnl.str.date) {
        expect(bars[tk].open.get(d)).toEqual(expect.any(Number));
        expect(bars[tk].close.get(d)).toEqual(expect.any(Number));
        expect(weights[tk].get(d)).toEqual(expect.any(Number));
      }
    }
    expect(runB.pnl.str.date).toEqual(runA.pnl.str.date);
  });

  test('every trade pays (commission + slippage) / 1e4 of its notional, executed at the next open', () => {
    for (const r of [runA, runB]) {
      expect(r.trades.length).toBeGreaterThan(100);
      for (let j = 0; j < r.trades.length; j++) {
        const notional = r.trades.col.notional[j]!;
        expect(Math.abs(notional - r.trades.col.quantity[j]! * r.trades.col.price[j]!)).toBeLessThanOrEqual(1e-9 * notional);
        expect(Math.abs(r.trades.col.cost[j]! - r.k * notional)).toBeLessThanOrEqual(1e-12 * notional);
        expect(r.trades.col.price[j]).toBe(bars[r.trades.str.ticker[j]].open.get(r.trades.str.date[j]));
      }
    }
    expect(runB.k - runA.k).toBeCloseTo(base.backtest.commission_bps / 1e4, 15);
  });

  test('each run\'s equity equals the replay from weights, prices and its cost column (1e-9 relative)', () => {
    for (const r of [runA, runB]) {
      const { close } = replay(r);
      r.pnl.col.equity.forEach((e, t) => expect(Math.abs(e! - close[t]) / close[t]).toBeLessThan(1e-9));
    }
  });

  test('net equity falls by the extra costs on the traded notional, compounded forward (1e-6 relative)', () => {
    const a = replay(runA);
    const b = replay(runB);
    const n = runA.pnl.length;
    // G_t: growth of one dollar removed at the execution of day t until the last close
    const G = new Float64Array(n);
    G[n - 1] = 1;
    let g = 1 + a.A[n - 1];
    for (let t = n - 2; t >= 1; t--) {
      G[t] = g;
      g *= 1 + a.R[t];
    }
    const dk = runB.k - runA.k;
    let extra = 0; // traded notional x extra cost, compounded
    let smallerBook = 0; // k_A x (N^B - N^A), compounded
    let naive = 0; // traded notional x extra cost, not compounded
    for (let t = 1; t < n; t++) {
      extra += dk * b.N[t] * G[t];
      smallerBook += runA.k * (b.N[t] - a.N[t]) * G[t];
      naive += dk * b.N[t];
    }
    const drop = runA.final - runB.final;
    expect(drop).toBeGreaterThan(0);
    expect(Math.abs(drop - (extra + smallerBook)) / drop).toBeLessThan(1e-6);
    // the first-order term is the traded notional times the extra cost; the rest is second order
    // (of the size k_A / dk x the equity gap, a fraction of a percent here)
    expect(Math.abs(smallerBook)).toBeLessThan(0.05 * extra);
    console.log(`l79-costs: final equity ${runA.final.toFixed(2)} -> ${runB.final.toFixed(2)} (drop ${drop.toFixed(4)}); extra cost on traded notional: ${naive.toFixed(4)} as paid, ${extra.toFixed(4)} compounded; smaller-book term ${smallerBook.toFixed(6)}; relative residual ${(Math.abs(drop - (extra + smallerBook)) / drop).toExponential(2)}`);
  });
});

describe('long_only at pipeline level', () => {
  test('weights are the reference sizing with negatives set to 0 before the gross cap', async () => {
    const settings = readSettings(dir);
    expect(settings.risk.long_only).toBe(true);
    const inputs: Parameters<typeof referenceWeights>[0] = {};
    const written: Record<string, Pq> = {};
    for (const t of TICKERS) {
      const m = await readPq(art(dir, `meta/alpha_scores/${t}.parquet`));
      const f = await readPq(art(dir, `features/${t}.parquet`));
      inputs[t] = { dates: m.str.date, alpha: m.col.alpha_score, vol: byDate(f, 'rv_20') };
      written[t] = await readPq(art(dir, `positions/${STRATEGY}/${t}.parquet`));
    }
    const ref = referenceWeights(inputs, { min_vol: 0.02, max_gross: 1, ...settings.risk });
    const shortsBefore = TICKERS.reduce((s, t) => s + [...weights[t].values()].filter((w) => w! < 0).length, 0);
    expect(shortsBefore).toBeGreaterThan(100); // the rule has something to do
    for (const t of TICKERS) {
      written[t].str.date.forEach((d, i) => {
        const w = written[t].col.target_weight[i]!;
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(settings.risk.max_weight);
        expect(Math.abs(w - ref.weights[t].get(d)!)).toBeLessThan(1e-15);
      });
    }
    const summary = JSON.parse(readFileSync(`${dir}/artifacts/backtests/${STRATEGY}/summary.json`, 'utf8'));
    expect(Number.isFinite(summary.sharpe)).toBe(true);
  });
});
