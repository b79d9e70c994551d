import type { TaskContext } from '../lib/dag/context.js';
import { nextTradingDay } from '../lib/core/calendar.js';
import { numberColumn, stringColumn } from '../lib/io/table.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';
import { missedSessions, targetState } from '../lib/market/risk/targetStatus.js';
import type { OnDelisting } from '../lib/market/backtest/listing.js';

/**
 * Node `latest`: the next session's target weights and dollar positions per ticker, for an
 * execution system or a UI, with the content hashes of the artifacts they come from. A ticker
 * without a bar on the newest date is `late` (its last target stands) or, past
 * `data.max_gap_days` missing sessions, `ended` (lib/market/risk/targetStatus.ts).
 */
export default async function latest(ctx: TaskContext): Promise<void> {
  const strategy = ctx.param<string>('backtest.strategy_name');
  const rows = await Promise.all(ctx.tickers.map(async (t) => {
    const path = ctx.input('positions', t);
    // only the last row is needed: decode the row group holding it
    const file = await ctx.openTable(path);
    if (file.length === 0) throw new Error(`${path}: no rows, so no target for ${t}`);
    const table = await file.read(['target_weight', 'target_dollar_pos', 'alpha_score'], file.length - 1);
    return {
      ticker: t,
      date: stringColumn(table, 'date', path)[0],
      target_weight: numberColumn(table, 'target_weight', path)[0],
      target_dollar_pos: numberColumn(table, 'target_dollar_pos', path)[0],
      alpha_score: numberColumn(table, 'alpha_score', path)[0],
    };
  }));
  const asOf = rows.reduce((m, r) => (r.date > m ? r.date : m), '');
  // the regimes and the relative strength of a date need the benchmark's bar: without it every
  // target of that date is 0 (no alpha), which an execution system would trade as "sell all"
  const benchmark = ctx.param<string>('benchmark');
  const benchPath = ctx.input('processed', benchmark, '.parquet');
  const benchFile = await ctx.openTable(benchPath);
  const benchLast = benchFile.length ? stringColumn(await benchFile.read([], benchFile.length - 1), 'date', benchPath)[0] : undefined;
  if (benchLast === undefined || missedSessions(benchLast, asOf) > 0) {
    throw new Error(`the benchmark ${benchmark} has no bar on ${asOf}${benchLast ? ` (its last is ${benchLast})` : ''}: without it the regimes and relative strength of ${asOf} are missing and every target for ${nextTradingDay(asOf)} would be 0; run again once ${benchmark}'s bar is in (latest.json is left as it was)`);
  }
  const maxGap = ctx.param<number>('data.max_gap_days');
  const onDelisting = ctx.param<OnDelisting>('backtest.on_delisting');
  // positions left room under risk.max_gross for the late tickers' standing weights, so the kept
  // targets and the new ones fit the cap together (lib/market/risk/portfolio-rules.ts)
  const targets = rows.map((r) => {
    const s = targetState(r.date, asOf, maxGap, onDelisting);
    return { ...r, ...s, weight: s.keep ? r.target_weight : 0, dollars: s.keep ? r.target_dollar_pos : 0 };
  });
  const late = targets.filter((t) => t.status === 'late').map((t) => `${t.ticker} (last bar ${t.date})`);
  if (late.length) ctx.log(`no bar on ${asOf} for ${late.join(', ')}: late, their last targets stand until the bars arrive`);
  for (const t of targets.filter((x) => x.status === 'ended')) {
    ctx.log(`${t.ticker}: no bar for ${t.missingSessions} sessions since ${t.date} (more than data.max_gap_days ${maxGap}): its history has ended, ${t.keep ? 'last target kept (backtest.on_delisting: hold)' : 'target 0 (backtest.on_delisting: close)'}`);
  }
  // the hashes the instance's cache key was made from: what the targets were computed from
  const sources = Object.fromEntries(ctx.inputs().map((ref) => [ref.path, ctx.inputHash(ref.path)]));
  ctx.writeJson(ctx.output(), finiteOrNull({
    strategy,
    as_of: asOf,
    applies_to: nextTradingDay(asOf),
    positions: Object.fromEntries(targets.map((t) => [t.ticker, {
      as_of: t.date,
      status: t.status,
      ...(t.missingSessions ? { missing_sessions: t.missingSessions } : {}),
      target_weight: t.weight,
      target_dollar_pos: t.dollars,
      alpha_score: t.alpha_score,
    }])),
    sources,
  }));
  ctx.log(`targets for ${nextTradingDay(asOf)}: ${targets.map((t) => `${t.ticker} ${(100 * t.weight).toFixed(2)}%`).join(', ')}`);
}
