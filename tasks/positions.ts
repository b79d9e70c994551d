import type { TaskContext } from '../lib/dag/context.js';
import { targetDollar, targetWeights } from '../lib/market/risk/sizing.js';
import { applyPortfolioRules } from '../lib/market/risk/portfolio-rules.js';
import { zeroBeforeHistory } from '../lib/market/risk/listing.js';
import { maxLookback } from '../lib/market/features/options.js';
import { alignTo, frameSchema, frameToTable } from '../lib/pipeline/frames.js';
import { unionDates } from '../lib/pipeline/axis.js';
import { numberColumn, stringColumn } from '../lib/io/table.js';
import type { Settings } from '../lib/core/settings.js';
import type { OnDelisting } from '../lib/market/backtest/listing.js';

/** A full history without a single non-zero target weight: say which input was missing. */
function noPosition(tickers: string[], perTicker: { dates: string[]; alpha: Float64Array; vol: Float64Array }[], volWindow: number): string {
  const finite = (x: Float64Array) => x.reduce((s, v) => s + (Number.isNaN(v) ? 0 : 1), 0);
  const nonZero = (x: Float64Array) => x.reduce((s, v) => s + (v !== 0 && !Number.isNaN(v) ? 1 : 0), 0);
  const why = tickers.map((t, i) => {
    const p = perTicker[i]!;
    return `${t}: alpha_score on ${finite(p.alpha)} of ${p.dates.length} dates (non-zero on ${nonZero(p.alpha)}), rv_${volWindow} on ${finite(p.vol)}`;
  });
  return `positions: no ticker ever gets a non-zero target weight, so no position would ever be taken (${why.join('; ')}); a weight needs an alpha_score and a volatility on the same date`;
}

/** A ticker's last date and ruled weight before `since`, from this node's previous output (incremental runs). */
async function lastRowBefore(ctx: TaskContext, path: string, since: string): Promise<{ date: string; weight: number } | null> {
  const own = await ctx.openOwnTable(path);
  const row = (await own.firstRowFrom(since)) - 1;
  if (row < 0) return null;
  const table = await own.read(['target_weight'], row, row + 1);
  return { date: stringColumn(table, 'date', path)[0], weight: numberColumn(table, 'target_weight', path)[0] };
}

const ORDER = ['alpha_score', 'realized_vol', 'target_weight', 'target_dollar_pos'];

/**
 * Node `positions`: volatility-targeted weights per ticker, then the portfolio rules (gross cap,
 * long-only) across tickers date by date, so it is one instance over all tickers. On a date a
 * ticker has no row its position stands untraded and counts against the gross cap
 * (lib/market/risk/portfolio-rules.ts).
 */
export default async function positions(ctx: TaskContext): Promise<void> {
  const risk = ctx.param<Settings['risk']>('risk');
  const capital = ctx.param<number>('backtest.initial_capital');
  const tickers = ctx.tickers;
  const f = ctx.param<Settings['features']>('features');
  // a ticker's first row with every feature window full (a late listing trades from there on)
  const firstRow = maxLookback({ ...f.lookbacks, volume_z: f.volume_z, rs: f.rs });
  // every rule works date by date, so an incremental (daily) run recomputes only the dates from
  // `since` on, for every ticker, and keeps the rows before
  const since = ctx.spec.mode === 'incremental' ? ctx.spec.since : undefined;
  const perTicker = await Promise.all(tickers.map(async (t) => {
    const metaPath = ctx.input('meta', t);
    // meta has one row per bar of the ticker, so the row number is the ticker's history so far
    const metaFile = await ctx.openTable(metaPath);
    const offset = since === undefined ? 0 : await metaFile.firstRowFrom(since);
    const meta = await metaFile.read(['alpha_score'], offset);
    const featPath = ctx.input('features', t);
    const feat = await ctx.readTable(featPath, [`rv_${risk.vol_window}`], since);
    const dates = stringColumn(meta, 'date', metaPath);
    const alpha = numberColumn(meta, 'alpha_score', metaPath);
    const vol = alignTo(dates, stringColumn(feat, 'date', featPath), numberColumn(feat, `rv_${risk.vol_window}`, featPath));
    return { dates, alpha, vol, weight: zeroBeforeHistory(targetWeights(alpha, vol, risk), offset, firstRow) };
  }));
  // portfolio rules need every ticker's weight on one date axis
  const axis = unionDates(perTicker.map((p) => p.dates));
  const onAxis = perTicker.map((p) => alignTo(axis, p.dates, p.weight));
  // a ticker without a row on a date is held, not traded: its standing weight counts in the cap,
  // so an incremental run needs the last row before `since` of each ticker that misses a date
  const before = await Promise.all(tickers.map((t, i) => (since !== undefined && perTicker[i].dates.length < axis.length ? lastRowBefore(ctx, ctx.output(t), since) : null)));
  const held = { dates: axis, before, maxGapSessions: ctx.param<number>('data.max_gap_days'), onDelisting: ctx.param<OnDelisting>('backtest.on_delisting') };
  const ruled = applyPortfolioRules(onAxis, risk, held);
  // a daily run sees only its new dates, on which flat targets are a legitimate answer
  if (!since && !ruled.some((w) => w.some((x) => x !== 0 && !Number.isNaN(x)))) throw new Error(noPosition(tickers, perTicker, risk.vol_window));
  for (let i = 0; i < tickers.length; i++) {
    const p = perTicker[i];
    const weight = alignTo(p.dates, axis, ruled[i]);
    const columns = { alpha_score: p.alpha, realized_vol: p.vol, target_weight: weight, target_dollar_pos: targetDollar(weight, capital) };
    const table = frameToTable({ date: p.dates, columns }, ORDER);
    if (since) await ctx.spliceOwnTable(ctx.output(tickers[i]), since, table, frameSchema(ORDER));
    else await ctx.writeTable(ctx.output(tickers[i]), table, frameSchema(ORDER));
  }
}
