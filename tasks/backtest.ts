import type { TaskContext } from '../lib/dag/context.js';
import { runBacktest } from '../lib/market/backtest/engine.js';
import { computeSummary } from '../lib/market/backtest/summary.js';
import { listingEvents, type OnDelisting } from '../lib/market/backtest/listing.js';
import { ALPHA_COMPONENTS } from '../lib/market/meta/components.js';
import { alignStrings, alignTo } from '../lib/pipeline/frames.js';
import { unionDates } from '../lib/pipeline/axis.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';
import { canonicalJson } from '../lib/io/canonicalJson.js';
import { lowerBound, numberColumn, stringColumn, type ColumnSpec } from '../lib/io/table.js';
import type { Settings } from '../lib/core/settings.js';
import type { TradeColumns as BacktestTrades } from '../lib/market/backtest/columns.js';

const TRADES_SCHEMA: ColumnSpec[] = [
  { name: 'date', kind: 'date' }, { name: 'ticker', kind: 'string' }, { name: 'side', kind: 'string' },
  ...['quantity', 'weight_change', 'price', 'notional', 'cost'].map((name) => ({ name, kind: 'double' as const })),
  { name: 'reason', kind: 'string' },
];
const PNL_SCHEMA: ColumnSpec[] = [
  { name: 'date', kind: 'date' },
  ...['equity', 'return', 'benchmark_return', 'gross_exposure', 'net_exposure', 'turnover', 'drawdown'].map((name) => ({ name, kind: 'double' as const })),
  { name: 'regime', kind: 'string' },
];

/** A backtest without a trade would report a flat 0.00%: say where the target weights are instead. */
function noTrade(window: string[], positions: { dates: string[]; weight: Float64Array }[]): string {
  let first = '';
  for (const p of positions) {
    const i = p.weight.findIndex((w) => w !== 0 && !Number.isNaN(w));
    if (i >= 0 && (first === '' || p.dates[i]! < first)) first = p.dates[i]!;
  }
  const where = first ? `the first non-zero target weight is on ${first}` : 'no target weight is ever non-zero';
  return `backtest: no position was ever taken between ${window[0]} and ${window.at(-1)}: every target weight in the window is 0 or null (${where}); the results would be a flat 0.00%. Check backtest.start_date / end_date against the dates the positions cover`;
}

/**
 * What the tickers' listing events are now, on the calendar of the previous results (their pnl
 * dates) and the first and last bar of each ticker's whole history, against what the previous
 * summary says they were: a description of the first difference, or undefined.
 */
async function listingsChanged(ctx: TaskContext, pnlPath: string, summary: Record<string, unknown>, onDelisting: OnDelisting): Promise<string | undefined> {
  const pnl = await ctx.openOwnTable(pnlPath);
  const dates = stringColumn(await pnl.read(['date']), 'date', pnlPath);
  const ends = await Promise.all(ctx.tickers.map(async (t) => {
    const path = ctx.input('processed', t, '.parquet');
    const bars = await ctx.openTable(path);
    const at = async (row: number) => stringColumn(await bars.read(['date'], row, row + 1), 'date', path)[0]!;
    return { first: await at(0), last: await at(bars.length - 1) };
  }));
  const now = listingEvents(dates, ctx.tickers, ends.map((e) => e.first), ends.map((e) => e.last), onDelisting, ctx.param<number>('data.max_gap_days'));
  const kinds = [['entered_late', now.enteredLate], ['left_early', now.leftEarly], ['late', now.late]] as const;
  for (const [key, events] of kinds) {
    const before = summary[key] as Record<string, string> | undefined;
    const [was, is] = [canonicalJson(before ?? null, 0).trim(), canonicalJson(events, 0).trim()];
    if (was !== is) return `${key} was ${was}, now ${is}`;
  }
  return undefined;
}

/**
 * Node `backtest`: decisions at the close of t trade at the open (or close) of t+1, costs in
 * basis points of traded notional, daily mark-to-market; metrics and PnL attribution.
 */
export default async function backtest(ctx: TaskContext): Promise<void> {
  const bt = ctx.param<Settings['backtest']>('backtest');
  const benchmark = ctx.param<string>('benchmark');
  const tickers = ctx.tickers;
  const outputs = [ctx.output(undefined, 'trades.parquet'), ctx.output(undefined, 'pnl_timeseries.parquet'), ctx.output(undefined, 'summary.json')];
  // Incremental (daily) run with every new row after the backtest window: the rows it reads, those
  // dated start_date..end_date, are the ones it read last time, so its results are too, unless the
  // new rows change a listing event (a late file is now a delisting, or no longer late), which
  // is decided against the newest bar of all the data
  if (ctx.spec.mode === 'incremental' && ctx.spec.since && ctx.spec.since > bt.end_date) {
    const old = outputs.map((p) => ctx.readOwnBytes(p));
    if (old.every((b) => b !== null)) {
      const changed = await listingsChanged(ctx, outputs[1]!, JSON.parse(new TextDecoder().decode(old[2]!)), bt.on_delisting as OnDelisting);
      if (!changed) {
        outputs.forEach((p, i) => ctx.writeBytes(p, old[i]!));
        ctx.log(`new rows from ${ctx.spec.since}, after backtest.end_date ${bt.end_date}: results unchanged`);
        return;
      }
      ctx.log(`new rows from ${ctx.spec.since}, after backtest.end_date ${bt.end_date}, change the listings (${changed}): recomputed`);
    }
  }
  const loaded = await Promise.all(tickers.map(async (t) => {
    const barsPath = ctx.input('processed', t, '.parquet');
    const bars = await ctx.readTable(barsPath, ['open', 'close']);
    const posPath = ctx.input('positions', t);
    const pos = await ctx.readTable(posPath, ['target_weight']);
    const metaPath = ctx.input('meta', t);
    const meta = await ctx.readTable(metaPath, ALPHA_COMPONENTS.map((c) => `contrib_${c}`));
    return { barsPath, bars, posPath, pos, metaPath, meta };
  }));
  const all = unionDates(loaded.map((l) => stringColumn(l.bars, 'date', l.barsPath)));
  const dates = all.slice(lowerBound(all, bt.start_date), lowerBound(all, bt.end_date) + (all.includes(bt.end_date) ? 1 : 0));
  if (dates.length < 2) throw new Error(`${ctx.where}: fewer than 2 trading days between backtest.start_date ${bt.start_date} and end_date ${bt.end_date}`);
  const col = (l: (typeof loaded)[number], table: 'bars' | 'pos' | 'meta', name: string) => {
    const path = table === 'bars' ? l.barsPath : table === 'pos' ? l.posPath : l.metaPath;
    return alignTo(dates, stringColumn(l[table], 'date', path), numberColumn(l[table], name, path));
  };
  const regimePath = ctx.input('regime', undefined, '.parquet');
  const regimes = await ctx.readTable(regimePath);
  // the benchmark's bars, whether it is traded or not (an index is read, never sized)
  const benchPath = ctx.input('processed', benchmark, '.parquet');
  const bench = await ctx.readTable(benchPath, ['close']);
  const barDates = loaded.map((l) => stringColumn(l.bars, 'date', l.barsPath));
  const benchmarkClose = alignTo(dates, stringColumn(bench, 'date', benchPath), numberColumn(bench, 'close', benchPath));
  const listing = listingEvents(dates, tickers, barDates.map((d) => d[0]!), barDates.map((d) => d.at(-1)!), bt.on_delisting as OnDelisting, ctx.param<number>('data.max_gap_days'));
  const result = runBacktest({
    dates,
    tickers,
    open: loaded.map((l) => col(l, 'bars', 'open')),
    close: loaded.map((l) => col(l, 'bars', 'close')),
    targetWeight: loaded.map((l) => col(l, 'pos', 'target_weight')),
    execution: bt.execution,
    commission_bps: bt.commission_bps,
    slippage_bps: bt.slippage_bps,
    initial_capital: bt.initial_capital,
    cash_rate: bt.cash_rate,
    benchmarkClose,
    regime: alignStrings(dates, stringColumn(regimes, 'date', regimePath), stringColumn(regimes, 'regime', regimePath)),
    closeAtRow: listing.closeAtRow,
  });
  logListing(ctx, listing, result.trades, dates, bt.on_delisting as OnDelisting);
  if (result.trades.date.length === 0) throw new Error(noTrade(dates, loaded.map((l) => ({ dates: stringColumn(l.pos, 'date', l.posPath), weight: numberColumn(l.pos, 'target_weight', l.posPath) }))));
  const contributions: Record<string, Record<string, Float64Array>> = {};
  loaded.forEach((l, i) => {
    contributions[tickers[i]] = Object.fromEntries(ALPHA_COMPONENTS.map((c) => [c, col(l, 'meta', `contrib_${c}`)]));
  });
  const summary = computeSummary({ ...result, contributions, risk_free_rate: bt.risk_free_rate, benchmarkClose });
  const { trades, pnl } = result;
  await ctx.writeTable(outputs[0], { length: trades.date.length, columns: { ...trades, side: trades.side as string[], reason: trades.reason as string[] } }, TRADES_SCHEMA);
  await ctx.writeTable(outputs[1], { length: pnl.date.length, columns: { ...pnl } }, PNL_SCHEMA);
  // undefined metrics (NaN) are written as null: JSON has no NaN
  ctx.writeJson(outputs[2], finiteOrNull({ strategy_name: bt.strategy_name, ...summary, entered_late: listing.enteredLate, left_early: listing.leftEarly, late: listing.late }));
}

/** The run log names every late listing, late file and delisting, and each delisting's closing fill. */
function logListing(ctx: TaskContext, listing: ReturnType<typeof listingEvents>, trades: BacktestTrades, dates: string[], onDelisting: OnDelisting): void {
  for (const [t, d] of Object.entries(listing.enteredLate)) ctx.log(`${t}: first bar ${d}, after the backtest's first date ${dates[0]} (listed late)`);
  for (const [t, d] of Object.entries(listing.late)) ctx.log(`${t}: last bar ${d}, before the backtest's last date ${dates.at(-1)} but within data.max_gap_days sessions of the newest bar (late, not delisted): position held at its last close until its bars arrive`);
  for (const [t, d] of Object.entries(listing.leftEarly)) {
    const i = trades.date.findIndex((x, k) => x === d && trades.ticker[k] === t && trades.reason[k] === 'delisting');
    const what = i >= 0
      ? `position of ${trades.quantity[i]} shares closed at its close ${trades.price[i]} (${trades.side[i]}, notional ${trades.notional[i].toFixed(2)}, cost ${trades.cost[i].toFixed(2)})`
      : onDelisting === 'hold' ? 'position held at its last close (backtest.on_delisting: hold)' : 'no position to close';
    ctx.log(`${t}: last bar ${d}, before the backtest's last date ${dates.at(-1)} (delisted): ${what}`);
  }
}
