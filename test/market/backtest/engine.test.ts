import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { runBacktest, type BacktestInput } from '../../../lib/market/backtest/engine.js';

const f = (...x: number[]) => Float64Array.from(x);
const dates = (n: number) => Array.from({ length: n }, (_, i) => `2024-01-${String(i + 2).padStart(2, '0')}`);

function single(open: number[], close: number[], weight: number[], extra: Partial<BacktestInput> = {}): BacktestInput {
  return {
    dates: dates(open.length),
    tickers: ['AAA'],
    open: [f(...open)],
    close: [f(...close)],
    targetWeight: [f(...weight)],
    execution: 'next_open',
    commission_bps: 0,
    slippage_bps: 0,
    initial_capital: 1e6,
    ...extra,
  };
}

describe('no look-ahead: a decision at t is executed on t+1', () => {
  // The price jumps 10% at the close of date 1 and stays there.
  const open = [100, 100, 110, 110];
  const close = [100, 110, 110, 110];

  test('a weight set at the close of the jump day earns nothing from the jump (next_open)', () => {
    const r = runBacktest(single(open, close, [0, 1, 1, 1]));
    expect(Array.from(r.pnl.equity)).toEqual([1e6, 1e6, 1e6, 1e6]);
    expect(r.trades.date).toEqual(['2024-01-04']);
    expect(r.trades.price[0]).toBe(110);
  });

  test('the same with next_close execution', () => {
    const r = runBacktest(single(open, close, [0, 1, 1, 1], { execution: 'next_close' }));
    expect(Array.from(r.pnl.equity)).toEqual([1e6, 1e6, 1e6, 1e6]);
  });

  test('control: a weight set one day earlier does earn the jump', () => {
    const r = runBacktest(single(open, close, [1, 1, 1, 1]));
    // 1e6 / 100 = 10000 shares bought at the open of date 1, marked at 110 at its close.
    expect(r.pnl.equity[1]).toBe(10000 * 110);
    expect(r.pnl.return[1]).toBeCloseTo(0.1, 15);
  });

  test('the first row is the first date with the initial equity and return 0', () => {
    const r = runBacktest(single(open, close, [1, 1, 1, 1]));
    expect([r.pnl.date[0], r.pnl.equity[0], r.pnl.return[0], r.pnl.turnover[0]]).toEqual(['2024-01-02', 1e6, 0, 0]);
  });
});

describe('rebalancing to target_weight * equity at the execution price', () => {
  test('hand-worked three-day example with a constant 50% weight', () => {
    const r = runBacktest(single([100, 100, 120, 90], [100, 110, 100, 99], [0.5, 0.5, 0.5, 0.5], { initial_capital: 1000 }));
    // d1: buy 0.5*1000/100 = 5 sh at 100, cash 500; close 110 -> 500 + 5*110
    const e1 = 500 + 5 * 110;
    // d2: equity at open 500 + 5*120 = 1100, target 550/120 sh; sell the rest; close 100
    const sh2 = 550 / 120;
    const cash2 = 500 + (5 - sh2) * 120;
    const e2 = cash2 + sh2 * 100;
    // d3: equity at open cash2 + sh2*90, target half of it / 90; close 99
    const eq3 = cash2 + sh2 * 90;
    const sh3 = (0.5 * eq3) / 90;
    const e3 = cash2 - (sh3 - sh2) * 90 + sh3 * 99;
    expect(r.pnl.equity[1]).toBeCloseTo(e1, 9);
    expect(r.pnl.equity[2]).toBeCloseTo(e2, 9);
    expect(r.pnl.equity[3]).toBeCloseTo(e3, 9);
    expect(r.trades.side).toEqual(['buy', 'sell', 'buy']);
    expect(r.trades.quantity[1]).toBeCloseTo(5 - sh2, 12);
    expect(r.pnl.gross_exposure[3]).toBeCloseTo((sh3 * 99) / e3, 12);
    expect(r.pnl.turnover[2]).toBeCloseTo(((5 - sh2) * 120) / 1100, 12);
    expect(r.pnl.drawdown[2]).toBeCloseTo(e2 / e1 - 1, 12);
    expect(r.trades.weight_change[1]).toBeCloseTo(0.5 - 600 / 1100, 12);
  });

  test('cash earns cash_rate / 252 per day', () => {
    const r = runBacktest(single([1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0], { cash_rate: 0.0252 }));
    expect(r.pnl.equity[3]).toBeCloseTo(1e6 * 1.0001 ** 3, 6);
  });

  test('a NaN target holds the position; a day without a bar keeps the last close as mark', () => {
    const r = runBacktest(single([100, 100, NaN, 100, 100], [100, 100, NaN, 120, 120], [0.5, NaN, 0, NaN, NaN]));
    // Bought 5000 sh on d1; d2 has no bar (the 0 target decided on d2 is executed on d3)
    expect(r.trades.date).toEqual(['2024-01-03', '2024-01-05']);
    expect(r.pnl.equity[2]).toBe(1e6); // marked at the last close
    expect(r.pnl.equity[4]).toBe(1e6); // sold at the open of d3 at 100
  });

  test('a decision whose execution day has no bar is dropped', () => {
    const r = runBacktest(single([100, 100, NaN, 100, 100], [100, 100, NaN, 120, 120], [0.5, 0, NaN, NaN, NaN]));
    expect(r.trades.date).toEqual(['2024-01-03']);
    expect(r.pnl.equity[4]).toBe(1e6 + 5000 * 20);
  });

  test('benchmark return is close-to-close with 0 on the first row', () => {
    const r = runBacktest(single([1, 1, 1], [1, 1, 1], [0, 0, 0], { benchmarkClose: f(200, 210, 189) }));
    expect(r.pnl.benchmark_return[0]).toBe(0);
    expect(r.pnl.benchmark_return[1]).toBeCloseTo(0.05, 15);
    expect(r.pnl.benchmark_return[2]).toBeCloseTo(189 / 210 - 1, 15);
  });
});

describe('costs', () => {
  // Buy at d1, hold (NaN = no new decision), sell everything at d4: the traded shares do not
  // depend on the cost level, so the cash-flow difference is exact.
  const open = [100, 100, 105, 98, 110, 111];
  const close = [100, 102, 99, 104, 112, 111];
  const weight = [0.5, NaN, NaN, 0, NaN, NaN];

  test('doubling commission lowers final equity by traded notional x extra bps', () => {
    const base = runBacktest(single(open, close, weight, { commission_bps: 5, slippage_bps: 2 }));
    const dbl = runBacktest(single(open, close, weight, { commission_bps: 10, slippage_bps: 2 }));
    const shares = (0.5 * 1e6) / 100;
    const notional = shares * 100 + shares * 110;
    expect(base.pnl.equity[5] - dbl.pnl.equity[5]).toBeCloseTo((notional * 5) / 1e4, 8);
    expect(base.pnl.equity[5]).toBeCloseTo(1e6 + shares * (110 - 100) - (notional * 7) / 1e4, 8);
  });

  test('final equity equals initial capital plus all trade cash flows, costs and open positions', () => {
    const rng = createRng(7);
    const n = 60;
    const tickers = ['A', 'B', 'C'];
    const open: Float64Array[] = [];
    const close: Float64Array[] = [];
    const targetWeight: Float64Array[] = [];
    for (let i = 0; i < tickers.length; i++) {
      const o = new Float64Array(n);
      const c = new Float64Array(n);
      const w = new Float64Array(n);
      let p = 50 + 10 * i;
      for (let t = 0; t < n; t++) {
        o[t] = p * (1 + 0.01 * rng.normal());
        p = o[t] * (1 + 0.015 * rng.normal());
        c[t] = p;
        w[t] = 0.6 * (rng.next() - 0.5);
      }
      open.push(o);
      close.push(c);
      targetWeight.push(w);
    }
    const r = runBacktest({ dates: dates(n).map((d, t) => `2024-${String(1 + Math.floor(t / 28)).padStart(2, '0')}-${String(1 + (t % 28)).padStart(2, '0')}`), tickers, open, close, targetWeight, execution: 'next_open', commission_bps: 3, slippage_bps: 4, initial_capital: 1e5 });
    let cash = 1e5;
    const pos = new Map<string, number>();
    for (let k = 0; k < r.trades.date.length; k++) {
      const q = (r.trades.side[k] === 'buy' ? 1 : -1) * r.trades.quantity[k];
      cash -= q * r.trades.price[k] + r.trades.cost[k];
      expect(r.trades.cost[k]).toBeCloseTo((r.trades.notional[k] * 7) / 1e4, 10);
      pos.set(r.trades.ticker[k], (pos.get(r.trades.ticker[k]) ?? 0) + q);
    }
    let value = cash;
    tickers.forEach((tk, i) => (value += (pos.get(tk) ?? 0) * close[i][n - 1]));
    expect(r.pnl.equity[n - 1]).toBeCloseTo(value, 6);
    // Per-ticker pnl adds up to the equity change each day (no cash rate here).
    for (let t = 1; t < n; t++) {
      const s = tickers.reduce((a, tk) => a + r.perTickerPnl[tk][t], 0);
      expect(s).toBeCloseTo(r.pnl.equity[t] - r.pnl.equity[t - 1], 6);
    }
  });
});

describe('input validation', () => {
  test('misaligned columns name the ticker', () => {
    const bad = single([1, 1], [1, 1], [0, 0]);
    bad.close = [f(1)];
    expect(() => runBacktest(bad)).toThrow(/close of ticker AAA has 1 rows, expected 2/);
  });
});
