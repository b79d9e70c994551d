/**
 * Derived series the tearsheet plots (pure, no echarts): monthly return grid, rolling Sharpe,
 * benchmark equity, regime spans. They read the pnl table whose first row is the starting point.
 */
import type { PnlColumns } from '../market/backtest/columns.js';

const SQRT_252 = Math.sqrt(252);

export interface MonthlyGrid {
  years: string[];
  /** [monthIndex 0-11, yearIndex, compounded return of that month] for every month with data. */
  cells: [number, number, number][];
}

/** Compounded return of each calendar month, from the return rows after the first. */
export function monthlyReturns(pnl: PnlColumns): MonthlyGrid {
  const growth = new Map<string, number>();
  for (let t = 1; t < pnl.date.length; t++) {
    const key = pnl.date[t].slice(0, 7);
    growth.set(key, (growth.get(key) ?? 1) * (1 + pnl.return[t]));
  }
  const years = [...new Set([...growth.keys()].map((k) => k.slice(0, 4)))].sort();
  const cells: [number, number, number][] = [...growth.keys()].sort().map((k) => [
    Number(k.slice(5, 7)) - 1,
    years.indexOf(k.slice(0, 4)),
    growth.get(k)! - 1,
  ]);
  return { years, cells };
}

/**
 * Annualised Sharpe of the trailing `window` daily returns at each row (NaN until a full window
 * of returns exists). Running sums keep it one O(n) pass; no installed library does rolling windows.
 */
export function rollingSharpe(returns: Float64Array, window: number): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n).fill(NaN);
  let s = 0;
  let s2 = 0;
  // Row 0 is the starting point, not a return: windows cover rows 1..n-1.
  for (let t = 1; t < n; t++) {
    s += returns[t];
    s2 += returns[t] * returns[t];
    if (t > window) {
      s -= returns[t - window];
      s2 -= returns[t - window] * returns[t - window];
    }
    if (t >= window) {
      const mean = s / window;
      const variance = Math.max(0, (s2 - window * mean * mean) / (window - 1));
      const sd = Math.sqrt(variance);
      out[t] = sd > 1e-12 ? (mean / sd) * SQRT_252 : NaN;
    }
  }
  return out;
}

/** Benchmark wealth starting at the strategy's initial equity (missing days count as flat). */
export function benchmarkEquity(pnl: PnlColumns): Float64Array {
  const out = new Float64Array(pnl.date.length);
  let v = pnl.equity[0];
  for (let t = 0; t < out.length; t++) {
    const r = pnl.benchmark_return[t];
    if (t > 0 && Number.isFinite(r)) v *= 1 + r;
    out[t] = v;
  }
  return out;
}

export interface RegimeSpan {
  regime: string;
  start: string;
  end: string;
}

/** Maximal runs of consecutive dates with the same non-empty regime label. */
export function regimeSpans(pnl: PnlColumns): RegimeSpan[] {
  const spans: RegimeSpan[] = [];
  for (let t = 0; t < pnl.date.length; t++) {
    const label = pnl.regime[t];
    const last = spans[spans.length - 1];
    if (label && last && last.regime === label && pnl.regime[t - 1] === label) last.end = pnl.date[t];
    else if (label) spans.push({ regime: label, start: pnl.date[t], end: pnl.date[t] });
  }
  return spans;
}
