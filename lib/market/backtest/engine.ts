import type { PnlColumns, Side, TradeColumns, TradeReason } from './columns.js';

/**
 * Daily portfolio simulation from target weights.
 *
 * Timing: the weight decided at the close of date t is executed on date t+1, at its open
 * ('next_open') or its close ('next_close'). A signal therefore never earns the close-to-close move
 * of its own date. On the execution date each ticker is traded so that its position value equals
 * target_weight * equity, with equity marked at the execution prices (last close for a ticker
 * without an execution price) before costs. Costs of (commission_bps + slippage_bps) / 1e4 * traded
 * notional are paid from cash; trades happen at the bar's price itself. Fractional shares allowed.
 *
 * Conventions (docs/metrics.md):
 * - The first row is the first date, with equity = initial_capital and return 0: no decision
 *   exists yet to execute on it.
 * - NaN target weight: no decision for that ticker, the position is held unchanged.
 * - NaN execution price (no bar): that ticker is not traded that day and its pending decision is
 *   dropped; positions keep their last valid close as mark (on a day with an execution price but
 *   no close, the price the day traded at is that mark until the next close).
 * - Cash (positive or negative) accrues cash_rate / 252 per trading day, from the second row on.
 * - A trade smaller than 1e-9 of equity is floating-point noise from re-targeting an unchanged
 *   weight and is skipped.
 * - If equity at execution is <= 0 the account is ruined and every position is closed.
 * - closeAtRow[i] = r >= 0 (a delisting: the ticker's last bar is row r, and a later bar is an
 *   error): after the day's other trades, the whole position is sold (or bought back) at
 *   close[i][r] with the same costs, reason 'delisting'; the ticker is never traded or marked
 *   again, so it holds no exposure after r (without closeAtRow it would keep its last close as a
 *   stale mark).
 * - perTickerPnl[ticker][t] is the ticker's $ pnl of date t including its costs; the sum over
 *   tickers plus the day's cash interest equals equity[t] - equity[t-1].
 * - For attribution, carryPnl[ticker][t] is the part of that pnl earned before the day's trade by
 *   the position carried from t-1 (previous close to execution price), and decisionRow[ticker][t]
 *   is the row of the decision behind the position held after the day's trade (-1: none yet).
 *   The rest of the day's pnl (execution price to close, minus costs) belongs to decisionRow[t].
 */
export interface BacktestInput {
  dates: string[];
  tickers: string[];
  /** Per ticker, aligned to dates; NaN = no bar. */
  open: Float64Array[];
  close: Float64Array[];
  /** Per ticker, aligned to dates: weight decided at the close of each date. */
  targetWeight: Float64Array[];
  execution: 'next_open' | 'next_close';
  commission_bps: number;
  slippage_bps: number;
  initial_capital: number;
  /** Annual rate earned (or paid, when negative balance) on cash; default 0. */
  cash_rate?: number;
  benchmarkClose?: Float64Array;
  /** Regime label per date, copied into the pnl table. */
  regime?: string[];
  /** Per ticker, the row at whose close its position is cashed out (a delisting), or -1. */
  closeAtRow?: ArrayLike<number>;
}

export interface BacktestResult {
  trades: TradeColumns;
  pnl: PnlColumns;
  /** Ticker -> daily $ pnl (price moves minus that ticker's costs), aligned to dates. */
  perTickerPnl: Record<string, Float64Array>;
  /** Ticker -> part of perTickerPnl earned by the position carried into the day, before trading. */
  carryPnl: Record<string, Float64Array>;
  /** Ticker -> row of the decision that set the position held at each close (-1 before any). */
  decisionRow: Record<string, Int32Array>;
}

const TRADING_DAYS = 252;
const NOISE_TRADE = 1e-9;

function validate(input: BacktestInput): void {
  const { dates, tickers, open, close, targetWeight, execution } = input;
  const n = dates.length;
  if (n === 0) throw new Error('runBacktest: dates is empty');
  for (let t = 1; t < n; t++) {
    if (!(dates[t - 1] < dates[t])) throw new Error(`runBacktest: dates must be strictly ascending (${dates[t - 1]} then ${dates[t]})`);
  }
  if (new Set(tickers).size !== tickers.length) throw new Error('runBacktest: tickers contain duplicates');
  const cols: [string, Float64Array[]][] = [['open', open], ['close', close], ['targetWeight', targetWeight]];
  for (const [name, arr] of cols) {
    if (arr.length !== tickers.length) throw new Error(`runBacktest: ${name} has ${arr.length} columns for ${tickers.length} tickers`);
    arr.forEach((col, i) => {
      if (col.length !== n) throw new Error(`runBacktest: ${name} of ticker ${tickers[i]} has ${col.length} rows, expected ${n}`);
    });
  }
  if (input.benchmarkClose && input.benchmarkClose.length !== n) {
    throw new Error(`runBacktest: benchmarkClose has ${input.benchmarkClose.length} rows, expected ${n}`);
  }
  if (input.regime && input.regime.length !== n) throw new Error(`runBacktest: regime has ${input.regime.length} rows, expected ${n}`);
  if (input.closeAtRow) {
    if (input.closeAtRow.length !== tickers.length) throw new Error(`runBacktest: closeAtRow has ${input.closeAtRow.length} entries for ${tickers.length} tickers`);
    for (let i = 0; i < tickers.length; i++) {
      const r = input.closeAtRow[i];
      if (!(Number.isInteger(r) && r >= -1 && r < n)) throw new Error(`runBacktest: closeAtRow of ticker ${tickers[i]} must be -1 or a row 0..${n - 1}, got ${r}`);
      if (r >= 0 && !Number.isFinite(close[i][r])) throw new Error(`runBacktest: ticker ${tickers[i]} is closed out on ${dates[r]}, which has no close`);
      // a close-out is a delisting: a later bar would be traded again after it
      let later = r < 0 ? n : r + 1;
      while (later < n && !Number.isFinite(close[i][later]) && !Number.isFinite(open[i][later])) later++;
      if (later < n) throw new Error(`runBacktest: ticker ${tickers[i]} is closed out on ${dates[r]} but has a bar on ${dates[later]}: a close-out must be on its last bar`);
    }
  }
  if (execution !== 'next_open' && execution !== 'next_close') throw new Error(`runBacktest: unknown execution '${String(execution)}'`);
  for (const key of ['commission_bps', 'slippage_bps'] as const) {
    const v = input[key];
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`runBacktest: ${key} must be a finite number >= 0, got ${v}`);
  }
  if (!(Number.isFinite(input.initial_capital) && input.initial_capital > 0)) {
    throw new Error(`runBacktest: initial_capital must be > 0, got ${input.initial_capital}`);
  }
  const rate = input.cash_rate ?? 0;
  if (!Number.isFinite(rate)) throw new Error(`runBacktest: cash_rate must be finite, got ${rate}`);
}

/** Simulates the portfolio; see the module comment for timing and cost conventions. */
export function runBacktest(input: BacktestInput): BacktestResult {
  validate(input);
  const { dates, tickers, open, close, targetWeight, execution, initial_capital } = input;
  const n = dates.length;
  const m = tickers.length;
  const costRate = (input.commission_bps + input.slippage_bps) / 1e4;
  const dailyRate = (input.cash_rate ?? 0) / TRADING_DAYS;
  const execCols = execution === 'next_open' ? open : close;

  const tr = { date: [] as string[], ticker: [] as string[], side: [] as Side[], quantity: [] as number[], weight_change: [] as number[], price: [] as number[], notional: [] as number[], cost: [] as number[], reason: [] as TradeReason[] };
  const record = (t: number, i: number, delta: number, weightChange: number, price: number, notional: number, cost: number, reason: TradeReason) => {
    tr.date.push(dates[t]);
    tr.ticker.push(tickers[i]);
    tr.side.push(delta > 0 ? 'buy' : 'sell');
    tr.quantity.push(Math.abs(delta));
    tr.weight_change.push(weightChange);
    tr.price.push(price);
    tr.notional.push(notional);
    tr.cost.push(cost);
    tr.reason.push(reason);
  };
  const closeAtRow = input.closeAtRow;
  const equity = new Float64Array(n);
  const ret = new Float64Array(n);
  const benchRet = new Float64Array(n).fill(NaN);
  const gross = new Float64Array(n);
  const net = new Float64Array(n);
  const turnover = new Float64Array(n);
  const drawdown = new Float64Array(n);
  const perTicker = tickers.map(() => new Float64Array(n));
  const carry = tickers.map(() => new Float64Array(n));
  const decision = tickers.map(() => new Int32Array(n).fill(-1));

  const shares = new Float64Array(m);
  // Last known price of each ticker; meaningful whenever shares != 0 (a position was bought at a price).
  const mark = new Float64Array(m).fill(NaN);
  const execRef = new Float64Array(m);
  let cash = initial_capital;

  for (let i = 0; i < m; i++) if (Number.isFinite(close[i][0])) mark[i] = close[i][0];
  equity[0] = initial_capital;
  let peak = initial_capital;

  const bench = input.benchmarkClose;
  let lastBench = NaN;
  if (bench) {
    benchRet[0] = 0;
    lastBench = bench[0];
  }

  for (let t = 1; t < n; t++) {
    cash += cash * dailyRate;

    // Equity at the execution prices, before any trade of the day.
    let eqExec = cash;
    for (let i = 0; i < m; i++) {
      const p = execCols[i][t];
      execRef[i] = Number.isFinite(p) ? p : mark[i];
      if (shares[i] !== 0) eqExec += shares[i] * execRef[i];
    }

    let traded = 0;
    let posValue = 0;
    let posAbs = 0;
    for (let i = 0; i < m; i++) {
      const p = execCols[i][t];
      const ref = execRef[i];
      let pnl = shares[i] !== 0 ? shares[i] * (ref - mark[i]) : 0;
      carry[i][t] = pnl;
      decision[i][t] = decision[i][t - 1];
      const w = eqExec > 0 ? targetWeight[i][t - 1] : 0;
      if (Number.isFinite(p) && !Number.isNaN(w)) {
        decision[i][t] = t - 1;
        const desired = (w * eqExec) / p;
        const delta = desired - shares[i];
        const notional = Math.abs(delta) * p;
        if (notional > NOISE_TRADE * Math.abs(eqExec)) {
          const cost = costRate * notional;
          cash -= delta * p + cost;
          pnl -= cost;
          traded += notional;
          record(t, i, delta, w - (shares[i] * p) / eqExec, p, notional, cost, eqExec > 0 ? 'rebalance' : 'ruin');
          shares[i] = desired;
        }
      }
      if (Number.isFinite(p)) mark[i] = p;
      if (Number.isFinite(close[i][t])) mark[i] = close[i][t];
      if (shares[i] !== 0) {
        pnl += shares[i] * (mark[i] - ref);
        const v = shares[i] * mark[i];
        posValue += v;
        posAbs += Math.abs(v);
      }
      perTicker[i][t] = pnl;
    }

    // delistings: cash out at the last bar's close, after the day's other trades (so every
    // position is marked at the close when its weight is measured)
    if (closeAtRow) {
      const eqClose = cash + posValue;
      let closed = false;
      for (let i = 0; i < m; i++) {
        if (closeAtRow[i] !== t || shares[i] === 0) continue;
        const p = close[i][t];
        const v = shares[i] * p;
        const notional = Math.abs(v);
        const cost = costRate * notional;
        cash += v - cost;
        perTicker[i][t] -= cost;
        traded += notional;
        record(t, i, -shares[i], eqClose > 0 ? -v / eqClose : 0, p, notional, cost, 'delisting');
        shares[i] = 0;
        closed = true;
      }
      if (closed) {
        // summed again rather than decremented, so no rounding residue is left as exposure
        posValue = 0;
        posAbs = 0;
        for (let i = 0; i < m; i++) {
          if (shares[i] === 0) continue;
          posValue += shares[i] * mark[i];
          posAbs += Math.abs(shares[i] * mark[i]);
        }
      }
    }

    const eq = cash + posValue;
    equity[t] = eq;
    ret[t] = eq / equity[t - 1] - 1;
    gross[t] = posAbs / eq;
    net[t] = posValue / eq;
    turnover[t] = traded === 0 ? 0 : traded / eqExec;
    if (eq > peak) peak = eq;
    drawdown[t] = eq / peak - 1;

    if (bench) {
      const b = bench[t];
      benchRet[t] = Number.isFinite(b) && Number.isFinite(lastBench) ? b / lastBench - 1 : NaN;
      if (Number.isFinite(b)) lastBench = b;
    }
  }

  const perTickerPnl: Record<string, Float64Array> = {};
  const carryPnl: Record<string, Float64Array> = {};
  const decisionRow: Record<string, Int32Array> = {};
  tickers.forEach((tk, i) => {
    perTickerPnl[tk] = perTicker[i];
    carryPnl[tk] = carry[i];
    decisionRow[tk] = decision[i];
  });
  return {
    trades: {
      date: tr.date,
      ticker: tr.ticker,
      side: tr.side,
      quantity: Float64Array.from(tr.quantity),
      weight_change: Float64Array.from(tr.weight_change),
      price: Float64Array.from(tr.price),
      notional: Float64Array.from(tr.notional),
      cost: Float64Array.from(tr.cost),
      reason: tr.reason,
    },
    pnl: {
      date: dates.slice(),
      equity,
      return: ret,
      benchmark_return: benchRet,
      gross_exposure: gross,
      net_exposure: net,
      turnover,
      drawdown,
      regime: input.regime ? input.regime.slice() : dates.map(() => ''),
    },
    perTickerPnl,
    carryPnl,
    decisionRow,
  };
}
