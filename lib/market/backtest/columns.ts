/** Column layouts of the backtest outputs (trades.parquet, pnl_timeseries.parquet). */

export type Side = 'buy' | 'sell';

/**
 * Why a trade happened: `rebalance` moves a position to the previous close's target weight;
 * `delisting` cashes out a ticker on its last bar (its close); `ruin` closes everything when
 * equity is no longer positive.
 */
export type TradeReason = 'rebalance' | 'delisting' | 'ruin';

/** One row per executed trade, in execution order (date, then ticker order of the input). */
export interface TradeColumns {
  date: string[];
  ticker: string[];
  side: Side[];
  /** Absolute number of shares traded (fractional shares allowed). */
  quantity: Float64Array;
  /** Target weight minus the weight held just before the trade, both at the execution price. */
  weight_change: Float64Array;
  /** Execution price (the bar's open or close; costs are charged separately). */
  price: Float64Array;
  /** quantity * price. */
  notional: Float64Array;
  /** (commission_bps + slippage_bps) / 1e4 * notional, paid from cash. */
  cost: Float64Array;
  reason: TradeReason[];
}

/** One row per date of the input axis. */
export interface PnlColumns {
  date: string[];
  /** Cash plus positions marked at the close. */
  equity: Float64Array;
  /** equity / previous equity - 1; 0 on the first row. */
  return: Float64Array;
  /** Benchmark close-to-close return; 0 on the first row, NaN without a benchmark or bar. */
  benchmark_return: Float64Array;
  /** sum |position value| / equity at the close. */
  gross_exposure: Float64Array;
  /** sum position value / equity at the close. */
  net_exposure: Float64Array;
  /** Traded notional of the day / equity at the execution prices before trading. */
  turnover: Float64Array;
  /** equity / running peak of equity - 1 (<= 0). */
  drawdown: Float64Array;
  /** Regime label of the date ('' when none was given). */
  regime: string[];
}
