/**
 * Property test of runBacktest (lib/market/backtest/engine.ts) against an independent brute-force
 * reference written only from the documented rules (the engine's module comment, columns.ts and
 * docs/metrics.md "Backtest engine"), not from the engine's code.
 *
 * The reference keeps a dictionary ticker -> shares plus cash, and each day recomputes everything
 * from scratch: marks are found by scanning back for the last finite close, equity is cash plus
 * shares x mark, and a ticker's pnl is the change of its position value plus the day's cash flows
 * of its trades (so it is not the engine's price-move formula). Random cases (seeded mulberry32):
 * 1-5 tickers, 5-60 dates, late starts, missing bars, histories ending with or without a
 * closeAtRow delisting, NaN / negative / leveraged / repeated weights, flat prices (noise-trade
 * skip), both execution modes, costs, cash rate, benchmark gaps, and wild cases that ruin the
 * account. Compared: equity, returns, benchmark returns, gross/net exposure, turnover, drawdown,
 * every trade field, perTickerPnl, carryPnl, decisionRow; plus the identity
 * sum(perTickerPnl) + cash interest = equity change, and that every trade has a bar.
 */
import { describe, expect, test } from '@jest/globals';
import { runBacktest, type BacktestInput, type BacktestResult } from '../../../lib/market/backtest/engine.js';
import { mulberry32 } from '../../support/random.js';

// ---------------------------------------------------------------------------------------------
// reference

interface RefTrade {
  row: number;
  ticker: string;
  side: 'buy' | 'sell';
  quantity: number;
  weight_change: number;
  price: number;
  notional: number;
  cost: number;
  reason: 'rebalance' | 'delisting' | 'ruin';
}

interface RefResult {
  equity: number[];
  ret: number[];
  bench: number[];
  gross: number[];
  net: number[];
  turnover: number[];
  drawdown: number[];
  interest: number[];
  /** equity at the execution prices before trading, per row */
  eqExec: number[];
  trades: RefTrade[];
  pnl: Record<string, number[]>;
  carry: Record<string, number[]>;
  decision: Record<string, number[]>;
  /** largest |position value| or |cash| seen, a $ scale for tolerances */
  scale: number;
}

function reference(inp: BacktestInput): RefResult {
  const n = inp.dates.length;
  const tickers = inp.tickers;
  const costRate = (inp.commission_bps + inp.slippage_bps) / 10000;
  const dailyRate = (inp.cash_rate ?? 0) / 252;
  const execPrices = inp.execution === 'next_open' ? inp.open : inp.close;
  const closeAt = (k: number) => (inp.closeAtRow ? inp.closeAtRow[k] : -1);
  const idx = (tk: string) => tickers.indexOf(tk);

  /** last finite close of ticker k at a row <= t, NaN if none */
  const lastClose = (k: number, t: number): number => {
    for (let s = t; s >= 0; s--) if (Number.isFinite(inp.close[k][s])) return inp.close[k][s];
    return NaN;
  };
  const positionValue = (holdings: Record<string, number>, tk: string, t: number): number => {
    const sh = holdings[tk] ?? 0;
    return sh === 0 ? 0 : sh * lastClose(idx(tk), t);
  };

  let cash = inp.initial_capital;
  let holdings: Record<string, number> = {};
  const r: RefResult = {
    equity: [inp.initial_capital], ret: [0], bench: [inp.benchmarkClose ? 0 : NaN], gross: [0], net: [0], turnover: [0], drawdown: [0],
    interest: [0], eqExec: [inp.initial_capital], trades: [], pnl: {}, carry: {}, decision: {}, scale: inp.initial_capital,
  };
  for (const tk of tickers) {
    r.pnl[tk] = [0];
    r.carry[tk] = [0];
    r.decision[tk] = [-1];
  }
  let peak = inp.initial_capital;

  for (let t = 1; t < n; t++) {
    const before = { ...holdings };
    const interest = cash * dailyRate;
    cash += interest;
    r.interest.push(interest);

    // equity at the execution prices, before trading (last close for a ticker without a price)
    const execRef = (k: number) => (Number.isFinite(execPrices[k][t]) ? execPrices[k][t] : lastClose(k, t - 1));
    let eqExec = cash;
    for (const tk of Object.keys(holdings)) eqExec += holdings[tk] * execRef(idx(tk));
    const ruined = !(eqExec > 0);
    r.eqExec.push(eqExec);

    const flow: Record<string, number> = {};
    for (const tk of tickers) {
      flow[tk] = 0;
      r.decision[tk].push(r.decision[tk][t - 1]);
    }
    let traded = 0;

    tickers.forEach((tk, k) => {
      const p = execPrices[k][t];
      if (!Number.isFinite(p)) return; // no bar: not traded, the decision is dropped
      const w = ruined ? 0 : inp.targetWeight[k][t - 1];
      if (Number.isNaN(w)) return; // no decision: hold
      r.decision[tk][t] = t - 1;
      const held = holdings[tk] ?? 0;
      const want = (w * eqExec) / p;
      const qty = want - held;
      const notional = Math.abs(qty) * p;
      if (notional <= 1e-9 * Math.abs(eqExec)) return; // float noise
      const cost = costRate * notional;
      cash = cash - qty * p - cost;
      flow[tk] += -qty * p - cost;
      traded += notional;
      r.trades.push({ row: t, ticker: tk, side: qty > 0 ? 'buy' : 'sell', quantity: Math.abs(qty), weight_change: w - (held * p) / eqExec, price: p, notional, cost, reason: ruined ? 'ruin' : 'rebalance' });
      if (want === 0) delete holdings[tk];
      else holdings[tk] = want;
    });

    // delistings, after the day's other trades, at the close of row t
    const delisted = tickers.filter((tk, k) => closeAt(k) === t && (holdings[tk] ?? 0) !== 0);
    if (delisted.length > 0) {
      let eqClose = cash;
      for (const tk of Object.keys(holdings)) eqClose += positionValue(holdings, tk, t);
      for (const tk of delisted) {
        const k = idx(tk);
        const p = inp.close[k][t];
        const sh = holdings[tk];
        const v = sh * p;
        const cost = costRate * Math.abs(v);
        cash = cash + v - cost;
        flow[tk] += v - cost;
        traded += Math.abs(v);
        r.trades.push({ row: t, ticker: tk, side: sh > 0 ? 'sell' : 'buy', quantity: Math.abs(sh), weight_change: eqClose > 0 ? -v / eqClose : 0, price: p, notional: Math.abs(v), cost, reason: 'delisting' });
        delete holdings[tk];
      }
    }

    // marks at the close
    let posValue = 0;
    let posAbs = 0;
    for (const tk of Object.keys(holdings)) {
      const v = positionValue(holdings, tk, t);
      posValue += v;
      posAbs += Math.abs(v);
      r.scale = Math.max(r.scale, Math.abs(v));
    }
    r.scale = Math.max(r.scale, Math.abs(cash));
    const eq = cash + posValue;
    r.equity.push(eq);
    r.ret.push(eq / r.equity[t - 1] - 1);
    r.gross.push(posAbs / eq);
    r.net.push(posValue / eq);
    r.turnover.push(traded === 0 ? 0 : traded / eqExec);
    peak = Math.max(peak, eq);
    r.drawdown.push(eq / peak - 1);

    tickers.forEach((tk, k) => {
      const pnl = positionValue(holdings, tk, t) - positionValue(before, tk, t - 1) + flow[tk];
      r.pnl[tk].push(pnl);
      const sh = before[tk] ?? 0;
      r.carry[tk].push(sh === 0 ? 0 : sh * (execRef(k) - lastClose(k, t - 1)));
    });

    if (inp.benchmarkClose) {
      const b = inp.benchmarkClose[t];
      let prev = NaN;
      for (let s = t - 1; s >= 0; s--) {
        if (Number.isFinite(inp.benchmarkClose[s])) {
          prev = inp.benchmarkClose[s];
          break;
        }
      }
      r.bench.push(Number.isFinite(b) && Number.isFinite(prev) ? b / prev - 1 : NaN);
    } else {
      r.bench.push(NaN);
    }
    holdings = Object.fromEntries(Object.entries(holdings).filter(([, s]) => s !== 0));
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// random cases

interface CaseStats {
  ruin: number;
  delistingTrades: number;
  lateStart: number;
  gaps: number;
  staleEnd: number;
  noiseSkips: number;
  shorts: number;
}

function makeCase(seed: number): BacktestInput {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const wild = rnd() < 0.15;
  const m = int(1, 5);
  const n = int(5, 60);
  const dates = Array.from({ length: n }, (_, t) => new Date(Date.UTC(2021, 0, 4) + t * 86400000).toISOString().slice(0, 10));
  const tickers = Array.from({ length: m }, (_, k) => `T${k}`);
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  const weight: Float64Array[] = [];
  const closeAtRow = new Int32Array(m).fill(-1);
  const vol = wild ? 0.25 : 0.02;
  const maxW = wild ? 3 : 1.5 / m;
  for (let k = 0; k < m; k++) {
    const o = new Float64Array(n).fill(NaN);
    const c = new Float64Array(n).fill(NaN);
    const start = rnd() < 0.3 ? int(0, n - 1) : 0;
    // end of history: to the last date, a delisting (closeAtRow), or a plain stop (stale mark)
    const endKind = rnd();
    const end = endKind < 0.55 ? n - 1 : int(start, n - 1);
    const flat = rnd() < 0.12;
    let px = 5 + rnd() * 195;
    for (let t = start; t <= end; t++) {
      const gap = t !== start && t !== end && rnd() < 0.12;
      const g1 = flat ? 0 : (rnd() - 0.5) * 2 * vol;
      const g2 = flat ? 0 : (rnd() - 0.5) * 2 * vol;
      const op = px * Math.exp(g1);
      const cl = op * Math.exp(g2);
      px = cl;
      if (gap) continue;
      o[t] = op;
      c[t] = cl;
    }
    if (endKind >= 0.55 && endKind < 0.85) closeAtRow[k] = end;
    const w = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const u = rnd();
      if (u < 0.2) w[t] = NaN;
      else if (u < 0.3) w[t] = 0;
      else if (u < 0.55 && t > 0) w[t] = w[t - 1];
      else w[t] = (rnd() - 0.35) * 2 * maxW;
    }
    open.push(o);
    close.push(c);
    weight.push(w);
  }
  let benchmarkClose: Float64Array | undefined;
  if (rnd() < 0.5) {
    benchmarkClose = new Float64Array(n);
    let b = 100;
    for (let t = 0; t < n; t++) {
      b *= Math.exp((rnd() - 0.5) * 0.04);
      benchmarkClose[t] = rnd() < 0.1 ? NaN : b;
    }
  }
  return {
    dates, tickers, open, close, targetWeight: weight,
    execution: rnd() < 0.5 ? 'next_open' : 'next_close',
    commission_bps: rnd() < 0.15 ? 0 : rnd() * 10,
    slippage_bps: rnd() < 0.15 ? 0 : rnd() * 20,
    initial_capital: [1000, 1e5, 1e6, 12345.67][int(0, 3)],
    cash_rate: rnd() < 0.2 ? 0 : (rnd() - 0.25) * 0.2,
    benchmarkClose,
    regime: rnd() < 0.3 ? dates.map((_, t) => (t % 3 === 0 ? 'bull' : 'bear')) : undefined,
    closeAtRow: rnd() < 0.85 ? closeAtRow : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// comparison

const REL = 1e-9;

function near(a: number, b: number, scale: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= REL * Math.max(Math.abs(a), Math.abs(b), scale);
}

/** First disagreement between engine and reference, or null. */
function compare(inp: BacktestInput, e: BacktestResult, r: RefResult): string | null {
  const n = inp.dates.length;
  const S = r.scale; // $ scale
  // ratios are divided by equity, which can be tiny near ruin: allow the $ error scaled by it
  const ratioScale = (t: number) => Math.max(1, S / Math.max(Math.abs(r.equity[t]), 1e-300));
  const series: [string, ArrayLike<number>, number[], (t: number) => number][] = [
    ['equity', e.pnl.equity, r.equity, () => S],
    ['return', e.pnl.return, r.ret, (t) => Math.max(1, S / Math.abs(r.equity[t - 1] || 1))],
    ['benchmark_return', e.pnl.benchmark_return, r.bench, () => 1],
    ['gross_exposure', e.pnl.gross_exposure, r.gross, ratioScale],
    ['net_exposure', e.pnl.net_exposure, r.net, ratioScale],
    ['turnover', e.pnl.turnover, r.turnover, () => S / 1e-3],
    ['drawdown', e.pnl.drawdown, r.drawdown, () => S / inp.initial_capital],
  ];
  for (const [name, got, want, sc] of series) {
    if (got.length !== n) return `${name}: length ${got.length}, expected ${n}`;
    for (let t = 0; t < n; t++) {
      if (name === 'turnover') {
        // turnover = notional / eqExec: compare in $ (x eqExec) to stay meaningful near ruin
        const eqExec = Math.abs(r.eqExec[t]);
        if (!near(got[t] * eqExec, want[t] * eqExec, S)) return `turnover[${t}] engine ${got[t]} reference ${want[t]}`;
        continue;
      }
      if (!near(got[t], want[t], sc(t))) return `${name}[${t}] (${inp.dates[t]}) engine ${got[t]} reference ${want[t]}`;
    }
  }
  if (e.pnl.date.join() !== inp.dates.join()) return 'pnl dates differ';
  const regime = inp.regime ?? inp.dates.map(() => '');
  if (e.pnl.regime.join() !== regime.join()) return 'regime differs';

  const tr = e.trades;
  const nt = tr.date.length;
  for (const col of [tr.ticker, tr.side, tr.quantity, tr.weight_change, tr.price, tr.notional, tr.cost, tr.reason]) {
    if (col.length !== nt) return 'trade columns have different lengths';
  }
  if (nt !== r.trades.length) {
    const fmt = (d: string, tk: string, s: string, q: number, why: string) => `${d} ${tk} ${s} ${q} ${why}`;
    return `trade count: engine ${nt} reference ${r.trades.length}\n engine: ${tr.date.map((d, j) => fmt(d, tr.ticker[j], tr.side[j], tr.quantity[j], tr.reason[j])).join('; ')}\n reference: ${r.trades.map((x) => fmt(inp.dates[x.row], x.ticker, x.side, x.quantity, x.reason)).join('; ')}`;
  }
  for (let j = 0; j < nt; j++) {
    const x = r.trades[j];
    const where = `trade ${j} (${inp.dates[x.row]} ${x.ticker} ${x.reason})`;
    if (tr.date[j] !== inp.dates[x.row] || tr.ticker[j] !== x.ticker) return `${where}: engine has ${tr.date[j]} ${tr.ticker[j]}`;
    if (tr.side[j] !== x.side) return `${where}: side engine ${tr.side[j]} reference ${x.side}`;
    if (tr.reason[j] !== x.reason) return `${where}: reason engine ${tr.reason[j]} reference ${x.reason}`;
    if (tr.price[j] !== x.price) return `${where}: price engine ${tr.price[j]} reference ${x.price}`;
    if (!near(tr.notional[j], x.notional, S)) return `${where}: notional engine ${tr.notional[j]} reference ${x.notional}`;
    if (!near(tr.quantity[j] * x.price, x.quantity * x.price, S)) return `${where}: quantity engine ${tr.quantity[j]} reference ${x.quantity}`;
    if (!near(tr.cost[j], x.cost, S)) return `${where}: cost engine ${tr.cost[j]} reference ${x.cost}`;
    if (!near(tr.weight_change[j], x.weight_change, S / inp.initial_capital)) return `${where}: weight_change engine ${tr.weight_change[j]} reference ${x.weight_change}`;
  }

  for (const tk of inp.tickers) {
    for (let t = 0; t < n; t++) {
      if (!near(e.perTickerPnl[tk][t], r.pnl[tk][t], S)) return `perTickerPnl ${tk}[${t}] (${inp.dates[t]}) engine ${e.perTickerPnl[tk][t]} reference ${r.pnl[tk][t]}`;
      if (!near(e.carryPnl[tk][t], r.carry[tk][t], S)) return `carryPnl ${tk}[${t}] (${inp.dates[t]}) engine ${e.carryPnl[tk][t]} reference ${r.carry[tk][t]}`;
      if (e.decisionRow[tk][t] !== r.decision[tk][t]) return `decisionRow ${tk}[${t}] (${inp.dates[t]}) engine ${e.decisionRow[tk][t]} reference ${r.decision[tk][t]}`;
    }
  }

  // engine-only invariants (no reference needed)
  for (let t = 1; t < n; t++) {
    let sum = r.interest[t];
    for (const tk of inp.tickers) sum += e.perTickerPnl[tk][t];
    const d = e.pnl.equity[t] - e.pnl.equity[t - 1];
    if (!near(sum, d, S)) return `pnl identity [${t}]: sum perTickerPnl + interest ${sum} vs equity change ${d}`;
  }
  const execCols = inp.execution === 'next_open' ? inp.open : inp.close;
  for (let j = 0; j < nt; j++) {
    const t = inp.dates.indexOf(tr.date[j]);
    const k = inp.tickers.indexOf(tr.ticker[j]);
    const bar = tr.reason[j] === 'delisting' ? inp.close[k][t] : execCols[k][t];
    if (!(t >= 1 && Number.isFinite(bar) && bar === tr.price[j])) return `trade ${j} on ${tr.date[j]} ${tr.ticker[j]} at ${tr.price[j]} has no matching bar (${bar})`;
  }
  return null;
}

function stats(inp: BacktestInput, r: RefResult, s: CaseStats): void {
  s.ruin += r.trades.filter((x) => x.reason === 'ruin').length;
  s.delistingTrades += r.trades.filter((x) => x.reason === 'delisting').length;
  s.shorts += r.trades.filter((x) => x.side === 'sell' && x.reason === 'rebalance' && x.weight_change < -1e-6).length;
  inp.close.forEach((c, k) => {
    const first = c.findIndex(Number.isFinite);
    let last = -1;
    for (let t = 0; t < c.length; t++) if (Number.isFinite(c[t])) last = t;
    if (first > 0) s.lateStart++;
    if (last >= 0 && last < c.length - 1 && !(inp.closeAtRow && inp.closeAtRow[k] === last)) s.staleEnd++;
    for (let t = first; t < last; t++) if (!Number.isFinite(c[t])) s.gaps++;
  });
  // a re-targeted unchanged weight that the engine must skip as noise
  for (let t = 1; t < inp.dates.length; t++) {
    inp.tickers.forEach((_, k) => {
      const w = inp.targetWeight[k][t - 1];
      if (w !== 0 && w === inp.targetWeight[k][t - 2] && !r.trades.some((x) => x.row === t && x.ticker === inp.tickers[k]) && Number.isFinite(inp.open[k][t])) s.noiseSkips++;
    });
  }
}

// ---------------------------------------------------------------------------------------------

describe('runBacktest against an independent brute-force reference', () => {
  test('hand case: reference reproduces a worked example', () => {
    // 1000 capital, 50% weight, next_open, no costs (same numbers as engine.test.ts's worked example)
    const inp: BacktestInput = {
      dates: ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'], tickers: ['AAA'],
      open: [Float64Array.from([100, 100, 120, 90])], close: [Float64Array.from([100, 110, 100, 99])],
      targetWeight: [Float64Array.from([0.5, 0.5, 0.5, 0.5])], execution: 'next_open', commission_bps: 0, slippage_bps: 0, initial_capital: 1000,
    };
    const r = reference(inp);
    const sh2 = 550 / 120;
    const cash2 = 500 + (5 - sh2) * 120;
    expect(r.equity[1]).toBeCloseTo(500 + 5 * 110, 9);
    expect(r.equity[2]).toBeCloseTo(cash2 + sh2 * 100, 9);
    expect(compare(inp, runBacktest(inp), r)).toBeNull();
  });

  test('random cases agree', () => {
    const CASES = 1200;
    const s: CaseStats = { ruin: 0, delistingTrades: 0, lateStart: 0, gaps: 0, staleEnd: 0, noiseSkips: 0, shorts: 0 };
    const failures: string[] = [];
    for (let seed = 1; seed <= CASES; seed++) {
      const inp = makeCase(seed);
      const r = reference(inp);
      const msg = compare(inp, runBacktest(inp), r);
      if (msg) failures.push(`seed ${seed}: ${msg}`);
      stats(inp, r, s);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // the generator really exercises the documented edge cases
    expect(s.ruin).toBeGreaterThan(0);
    expect(s.delistingTrades).toBeGreaterThan(50);
    expect(s.lateStart).toBeGreaterThan(50);
    expect(s.gaps).toBeGreaterThan(50);
    expect(s.staleEnd).toBeGreaterThan(50);
    expect(s.noiseSkips).toBeGreaterThan(0);
    expect(s.shorts).toBeGreaterThan(50);
  });
});
