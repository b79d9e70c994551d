import type { PnlColumns, TradeColumns } from './columns.js';
import { computeAttribution } from './attribution.js';
import { annualVolatility, average, betaAlpha, cagr, drawdownStats, sharpe, sortino, totalReturn, winRate } from './metrics.js';
import { roundTrips } from './round-trips.js';

/**
 * summary.json content. Key order is fixed by construction below. Metrics use the return rows
 * after the first (the first row is the starting point); NaN marks an undefined metric
 * (JSON.stringify writes it as null).
 */
export interface Summary {
  start_date: string;
  end_date: string;
  n_days: number;
  initial_equity: number;
  final_equity: number;
  total_return: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  max_drawdown: number;
  max_drawdown_duration: number;
  calmar: number;
  win_rate: number;
  round_trips: number;
  profitable_round_trips: number;
  avg_turnover: number;
  avg_gross_exposure: number;
  benchmark_total_return: number;
  beta: number;
  alpha: number;
  pnl_by_regime: Record<string, number>;
  pnl_by_ticker: Record<string, number>;
  pnl_by_component: Record<string, number>;
}

export interface SummaryInput {
  pnl: PnlColumns;
  trades: TradeColumns;
  perTickerPnl: Record<string, Float64Array>;
  carryPnl: Record<string, Float64Array>;
  decisionRow: Record<string, Int32Array>;
  contributions?: Record<string, Record<string, Float64Array>>;
  /** Annual risk-free rate for Sharpe and Sortino (default 0). */
  risk_free_rate?: number;
  /** The benchmark's close on each pnl date (NaN where it has no bar), as the engine was given it. */
  benchmarkClose?: Float64Array;
}

export function computeSummary({ pnl, trades, perTickerPnl, carryPnl, decisionRow, contributions, risk_free_rate = 0, benchmarkClose }: SummaryInput): Summary {
  const n = pnl.date.length;
  if (n === 0) throw new Error('computeSummary: pnl has no rows');
  const r = pnl.return.subarray(1);
  const b = pnl.benchmark_return.subarray(1);
  const dd = drawdownStats(r);
  const growth = cagr(r);
  const trips = roundTrips(trades);
  const greeks = betaAlpha(r, b);
  const attribution = computeAttribution({ pnl, perTickerPnl, carryPnl, decisionRow, contributions });
  const benchTotal = benchmarkTotal(b, benchmarkClose);
  return {
    start_date: pnl.date[0],
    end_date: pnl.date[n - 1],
    n_days: r.length,
    initial_equity: pnl.equity[0],
    final_equity: pnl.equity[n - 1],
    total_return: totalReturn(r),
    cagr: growth,
    volatility: annualVolatility(r),
    sharpe: sharpe(r, risk_free_rate),
    sortino: sortino(r, risk_free_rate),
    max_drawdown: dd.max_drawdown,
    max_drawdown_duration: dd.max_drawdown_duration,
    calmar: dd.max_drawdown === 0 ? NaN : growth / Math.abs(dd.max_drawdown),
    win_rate: winRate(r),
    round_trips: trips.count,
    profitable_round_trips: trips.profitable_share,
    avg_turnover: average(pnl.turnover.subarray(1)),
    avg_gross_exposure: average(pnl.gross_exposure.subarray(1)),
    benchmark_total_return: benchTotal,
    beta: greeks.beta,
    alpha: greeks.alpha,
    pnl_by_regime: attribution.by_regime,
    pnl_by_ticker: attribution.by_ticker,
    pnl_by_component: attribution.by_component,
  };
}

/**
 * The benchmark's return over the whole period. A day without a benchmark bar has no return and
 * the next bar's return spans the gap (the engine divides by the last close), so the returns
 * compound to last close / first close − 1 whatever the gaps inside; without a bar on the first
 * or the last date that would be another period's return, so it is undefined. Without the closes,
 * only a series without gaps can tell.
 */
function benchmarkTotal(b: Float64Array, close: Float64Array | undefined): number {
  if (b.length === 0) return NaN;
  if (!close) return b.every((x) => Number.isFinite(x)) ? totalReturn(b) : NaN;
  if (!Number.isFinite(close[0]) || !Number.isFinite(close[close.length - 1])) return NaN;
  return totalReturn(b.filter((x) => Number.isFinite(x)));
}
