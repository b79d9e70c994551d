import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { computeAttribution } from '../../../lib/market/backtest/attribution.js';
import { runBacktest } from '../../../lib/market/backtest/engine.js';
import type { PnlColumns, TradeColumns } from '../../../lib/market/backtest/columns.js';
import { annualVolatility, betaAlpha, cagr, calmar, drawdownStats, sharpe, sortino, totalReturn, winRate } from '../../../lib/market/backtest/metrics.js';
import { roundTrips } from '../../../lib/market/backtest/round-trips.js';
import { computeSummary } from '../../../lib/market/backtest/summary.js';

// Ten daily returns. Wealth: 1.1, 0.99 (under water, recovers next day), 1.1385, 1.195425 (peak),
// 1.195425 (flat at the peak), then 0.95634 (-20%) and never back above the peak: 5 days under water.
const r = [0.1, -0.1, 0.15, 0.05, 0, -0.2, 0.1, -0.05, 0.1, -0.02];
const b = [0.05, -0.05, 0.05, 0, 0, -0.1, 0.05, 0, 0.05, 0];

// Hand-derived values.
const growth = 1.1 * 0.9 * 1.15 * 1.05 * 1 * 0.8 * 1.1 * 0.95 * 1.1 * 0.98;
const meanR = 0.13 / 10;
// deviations from 0.013: .087 -.113 .137 .037 -.013 -.213 .087 -.063 .087 -.033
const ss = 0.087 ** 2 + 0.113 ** 2 + 0.137 ** 2 + 0.037 ** 2 + 0.013 ** 2 + 0.213 ** 2 + 0.087 ** 2 + 0.063 ** 2 + 0.087 ** 2 + 0.033 ** 2;
const sd = Math.sqrt(ss / 9);
const expectedCagr = growth ** (252 / 10) - 1;
// benchmark mean 0.005; deviations .045 -.055 .045 -.005 -.005 -.105 .045 -.005 .045 -.005
const cov = (0.087 * 0.045 + 0.113 * 0.055 + 0.137 * 0.045 - 0.037 * 0.005 + 0.013 * 0.005 + 0.213 * 0.105 + 0.087 * 0.045 + 0.063 * 0.005 + 0.087 * 0.045 + 0.033 * 0.005) / 9;
const varB = (4 * 0.045 ** 2 + 0.055 ** 2 + 4 * 0.005 ** 2 + 0.105 ** 2) / 9;

describe('return metrics on a hand-worked 10-day series', () => {
  test('total return and CAGR (years = 10 / 252)', () => {
    expect(totalReturn(r)).toBeCloseTo(growth - 1, 14);
    expect(growth - 1).toBeCloseTo(0.0773265734, 9);
    expect(cagr(r)).toBeCloseTo(expectedCagr, 10);
  });
  test('annualised volatility uses the sample std', () => {
    expect(annualVolatility(r)).toBeCloseTo(sd * Math.sqrt(252), 12);
  });
  test('Sharpe with and without a risk-free rate', () => {
    expect(sharpe(r)).toBeCloseTo((meanR / sd) * Math.sqrt(252), 12);
    // rf = 2.52% a year is 0.0001 a day; the std of excess returns is unchanged.
    expect(sharpe(r, 0.0252)).toBeCloseTo(((meanR - 0.0001) / sd) * Math.sqrt(252), 12);
  });
  test('Sortino: downside deviation over all n days', () => {
    const downside = Math.sqrt((0.1 ** 2 + 0.2 ** 2 + 0.05 ** 2 + 0.02 ** 2) / 10);
    expect(sortino(r)).toBeCloseTo((meanR / downside) * Math.sqrt(252), 12);
  });
  test('max drawdown and the longest time under water, the unrecovered one counting to the end', () => {
    const dd = drawdownStats(r);
    expect(dd.max_drawdown).toBeCloseTo(0.8 - 1, 14);
    expect(dd.max_drawdown_duration).toBe(5);
    // Only the recovered 1-day dip: duration 1, depth 0.99 / 1.1 - 1.
    expect(drawdownStats(r.slice(0, 5))).toEqual({ max_drawdown: expect.closeTo(0.99 / 1.1 - 1, 14), max_drawdown_duration: 1 });
    // A first-day loss counts: the starting wealth is a peak.
    expect(drawdownStats([-0.1, 0.05]).max_drawdown).toBeCloseTo(-0.1, 14);
  });
  test('Calmar = CAGR / |max drawdown|', () => {
    expect(calmar(r)).toBeCloseTo(expectedCagr / 0.2, 8);
  });
  test('win rate counts positive days among non-zero days', () => {
    expect(winRate(r)).toBe(5 / 9);
  });
  test('beta and annualised alpha by OLS on the benchmark', () => {
    const g = betaAlpha(r, b);
    expect(g.beta).toBeCloseTo(cov / varB, 12);
    expect(g.alpha).toBeCloseTo((meanR - (cov / varB) * 0.005) * 252, 10);
  });
});

function pnlFrom(returns: number[], bench: number[], regime: string[]): PnlColumns {
  const n = returns.length + 1;
  const equity = new Float64Array(n);
  equity[0] = 1000;
  for (let t = 1; t < n; t++) equity[t] = equity[t - 1] * (1 + returns[t - 1]);
  let peak = 0;
  return {
    date: Array.from({ length: n }, (_, t) => `2024-03-${String(t + 1).padStart(2, '0')}`),
    equity,
    return: Float64Array.from([0, ...returns]),
    benchmark_return: Float64Array.from([0, ...bench]),
    gross_exposure: Float64Array.from({ length: n }, (_, t) => (t === 0 ? 0 : 0.5)),
    net_exposure: new Float64Array(n),
    turnover: Float64Array.from({ length: n }, (_, t) => (t % 2 === 1 ? 0.2 : 0)),
    drawdown: equity.map((e) => ((peak = Math.max(peak, e)), e / peak - 1)),
    regime,
  };
}

function trades(rows: [string, 'buy' | 'sell', number, number, number][]): TradeColumns {
  return {
    date: rows.map((_, k) => `2024-03-${String(k + 1).padStart(2, '0')}`),
    ticker: rows.map((x) => x[0]),
    side: rows.map((x) => x[1]),
    quantity: Float64Array.from(rows.map((x) => x[2])),
    weight_change: new Float64Array(rows.length),
    price: Float64Array.from(rows.map((x) => x[3])),
    notional: Float64Array.from(rows.map((x) => x[2] * x[3])),
    cost: Float64Array.from(rows.map((x) => x[4])),
  };
}

describe('round trips', () => {
  test('flat-to-flat trips per ticker; a sign flip closes one trip and opens another; open trips are ignored', () => {
    const s = roundTrips(trades([
      ['A', 'buy', 10, 10, 1], ['B', 'buy', 5, 20, 1], ['A', 'sell', 10, 12, 1], // A: +20 - 2 > 0
      ['B', 'sell', 3, 19, 1], ['B', 'sell', 2, 18, 1], // B: -3 - 4 - 3 costs < 0
      ['A', 'buy', 5, 10, 0], ['A', 'sell', 8, 11, 0], // A: +5 closes long, opens short 3 at 11
      ['A', 'buy', 3, 12, 0], // short closed at a loss
      ['C', 'buy', 1, 5, 0], // still open
    ]));
    expect(s).toEqual({ count: 4, profitable: 2, profitable_share: 0.5 });
  });
  test('a winning trip that loses its gain to costs is not profitable', () => {
    expect(roundTrips(trades([['A', 'buy', 1, 10, 0.6], ['A', 'sell', 1, 11, 0.6]])).profitable).toBe(0);
  });
});

describe('attribution', () => {
  const pnl = pnlFrom([0.01, -0.02, 0.03], [0, 0, 0], ['', 'bull', 'bear', 'bull']);
  const perTickerPnl = { X: Float64Array.from([0, 6, -12, 20]), Y: Float64Array.from([0, 4, -8.2, 10.9]) };
  const carryPnl = { X: Float64Array.from([0, 0, -5, 8]), Y: new Float64Array(4) };
  const decisionRow = { X: Int32Array.from([-1, 0, 1, 2]), Y: Int32Array.from([-1, 0, 1, 2]) };
  const contributions = {
    X: { trend_alpha: Float64Array.from([0.3, 0.1, 0, 0]), ml_score: Float64Array.from([0.1, -0.3, 0, 0]) },
  };
  const a = computeAttribution({ pnl, perTickerPnl, carryPnl, decisionRow, contributions });

  test('by regime sums the daily equity change of each label', () => {
    // equity 1000 -> 1010 -> 989.8 -> 1019.494
    expect(a.by_regime.bull).toBeCloseTo(10 + (1019.494 - 989.8), 9);
    expect(a.by_regime.bear).toBeCloseTo(989.8 - 1010, 9);
  });
  test('by ticker sums the daily pnl', () => {
    expect(a.by_ticker).toEqual({ X: 6 - 12 + 20, Y: expect.closeTo(4 - 8.2 + 10.9, 12) });
  });
  test('by component splits each pnl piece by the contributions of the decision behind it', () => {
    // day 1: 6 after trading, decision 0 (shares 0.3/0.4, 0.1/0.4)
    // day 2: carry -5 on decision 0; the other -7 on decision 1 (shares 0.1/-0.2, -0.3/-0.2)
    // day 3: carry 8 on decision 1; the other 12 on decision 2, whose contributions sum to 0
    expect(a.by_component.trend_alpha).toBeCloseTo(6 * 0.75 - 5 * 0.75 - 7 * -0.5 + 8 * -0.5, 12);
    expect(a.by_component.ml_score).toBeCloseTo(6 * 0.25 - 5 * 0.25 - 7 * 1.5 + 8 * 1.5, 12);
    expect(a.by_component.unattributed).toBeCloseTo(12 + 4 - 8.2 + 10.9, 12);
    expect(Object.keys(a.by_component)).toEqual(['ml_score', 'trend_alpha', 'unattributed']);
  });
  test('with the engine: components with zero contribution get nothing and the split adds up', () => {
    const n = 30;
    const rng = createRng(3);
    const close = Float64Array.from({ length: n }, (_, t) => 100 * (1 + 0.1 * Math.sin(t)) + rng.next());
    const open = close.map((c, t) => (t === 0 ? c : (c + close[t - 1]) / 2));
    const trend = Float64Array.from({ length: n }, () => rng.next() - 0.4);
    const zero = new Float64Array(n);
    const res = runBacktest({
      dates: Array.from({ length: n }, (_, t) => `2024-04-${String(t + 1).padStart(2, '0')}`), tickers: ['Z'],
      open: [open], close: [close], targetWeight: [trend.map((x) => 0.5 * x)], execution: 'next_open',
      commission_bps: 2, slippage_bps: 1, initial_capital: 1e4,
    });
    const att = computeAttribution({ ...res, contributions: { Z: { trend_alpha: trend, ml_score: zero } } });
    expect(att.by_component.ml_score).toBe(0);
    expect(att.by_component.unattributed).toBe(0);
    expect(att.by_component.trend_alpha).toBeCloseTo(res.pnl.equity[n - 1] - 1e4, 8);
  });
});

describe('computeSummary', () => {
  const pnl = pnlFrom(r, b, Array(11).fill('bull'));
  const s = computeSummary({ pnl, trades: trades([['A', 'buy', 1, 10, 0], ['A', 'sell', 1, 11, 0]]), perTickerPnl: { A: new Float64Array(11) }, carryPnl: { A: new Float64Array(11) }, decisionRow: { A: new Int32Array(11) } });

  test('skips the first row and matches the hand-worked values', () => {
    expect(s.n_days).toBe(10);
    expect(s.total_return).toBeCloseTo(growth - 1, 12);
    expect(s.sharpe).toBeCloseTo((meanR / sd) * Math.sqrt(252), 10);
    expect(s.max_drawdown).toBeCloseTo(-0.2, 12);
    expect(s.max_drawdown_duration).toBe(5);
    expect(s.calmar).toBeCloseTo(expectedCagr / 0.2, 8);
    expect(s.win_rate).toBe(5 / 9);
    expect(s.avg_turnover).toBeCloseTo((5 * 0.2) / 10, 14);
    expect(s.avg_gross_exposure).toBeCloseTo(0.5, 14);
    expect(s.beta).toBeCloseTo(cov / varB, 10);
    expect(s.round_trips).toBe(1);
    expect(s.profitable_round_trips).toBe(1);
    expect(s.final_equity).toBeCloseTo(1000 * growth, 9);
  });
  test('benchmark total return: gaps inside are spanned, a missing first or last bar leaves it undefined', () => {
    const dates = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];
    const close = Float64Array.from([10, 10, 10, 10, 10, 10]);
    const run = (bench: number[]) => {
      const benchmarkClose = Float64Array.from(bench);
      const res = runBacktest({ dates, tickers: ['A'], open: [close], close: [close], targetWeight: [Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])], execution: 'next_open', commission_bps: 0, slippage_bps: 0, initial_capital: 1000, benchmarkClose });
      return computeSummary({ ...res, benchmarkClose }).benchmark_total_return;
    };
    // by hand: the last close over the first, whatever is missing between them
    expect(run([100, 110, NaN, NaN, 99, 121])).toBeCloseTo(121 / 100 - 1, 12);
    expect(run([100, 110, 104.5, 95, 99, 121])).toBeCloseTo(0.21, 12);
    expect(run([NaN, 110, 104.5, 95, 99, 121])).toBeNaN();
    expect(run([100, 110, 104.5, 95, 99, NaN])).toBeNaN();
  });
  test('has a stable key order', () => {
    expect(Object.keys(s)).toEqual([
      'start_date', 'end_date', 'n_days', 'initial_equity', 'final_equity', 'total_return', 'cagr', 'volatility',
      'sharpe', 'sortino', 'max_drawdown', 'max_drawdown_duration', 'calmar', 'win_rate', 'round_trips',
      'profitable_round_trips', 'avg_turnover', 'avg_gross_exposure', 'benchmark_total_return', 'beta', 'alpha',
      'pnl_by_regime', 'pnl_by_ticker', 'pnl_by_component',
    ]);
  });
});
