import { createHash } from 'node:crypto';
import type { TaskContext } from '../lib/dag/context.js';
import { nextTradingDay } from '../lib/core/calendar.js';
import { numberColumn, stringColumn } from '../lib/io/table.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';

/**
 * Node `latest`: the next session's target weights and dollar positions per ticker, for an
 * execution system or a UI, with the content hashes of the artifacts they come from.
 */
export default async function latest(ctx: TaskContext): Promise<void> {
  const strategy = ctx.param<string>('backtest.strategy_name');
  const rows = await Promise.all(ctx.tickers.map(async (t) => {
    const path = ctx.input('positions', t);
    const table = await ctx.readTable(path, ['target_weight', 'target_dollar_pos', 'alpha_score']);
    const dates = stringColumn(table, 'date', path);
    const i = dates.length - 1;
    return {
      ticker: t,
      date: dates[i],
      target_weight: numberColumn(table, 'target_weight', path)[i],
      target_dollar_pos: numberColumn(table, 'target_dollar_pos', path)[i],
      alpha_score: numberColumn(table, 'alpha_score', path)[i],
    };
  }));
  const asOf = rows.reduce((m, r) => (r.date > m ? r.date : m), '');
  const stale = rows.filter((r) => r.date < asOf).map((r) => r.ticker);
  if (stale.length) ctx.log(`no bar on ${asOf} for ${stale.join(', ')}: their targets are from their last bar`);
  const sources: Record<string, string> = {};
  for (const ref of ctx.inputs()) sources[ref.path] = createHash('sha256').update(ctx.readBytes(ref.path)).digest('hex');
  ctx.writeJson(ctx.output(), finiteOrNull({
    strategy,
    as_of: asOf,
    applies_to: nextTradingDay(asOf),
    positions: Object.fromEntries(rows.map((r) => [r.ticker, { as_of: r.date, target_weight: r.target_weight, target_dollar_pos: r.target_dollar_pos, alpha_score: r.alpha_score }])),
    sources,
  }));
  ctx.log(`targets for ${nextTradingDay(asOf)}: ${rows.map((r) => `${r.ticker} ${(100 * r.target_weight).toFixed(2)}%`).join(', ')}`);
}
