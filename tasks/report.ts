import type { TaskContext } from '../lib/dag/context.js';
import { renderReport } from '../lib/report/render-report.js';
import type { Summary } from '../lib/market/backtest/summary.js';
import { nullToNaN } from '../lib/pipeline/jsonNumbers.js';
import { pnlFromTable } from '../lib/pipeline/pnlTable.js';

/** Node `report`: the self-contained HTML tearsheet of the backtest. */
export default async function report(ctx: TaskContext): Promise<void> {
  const summaryPath = ctx.input('backtest', undefined, 'summary.json');
  const summary = nullToNaN(JSON.parse(ctx.readText(summaryPath))) as Summary & { strategy_name: string };
  const pnlPath = ctx.input('backtest', undefined, 'pnl_timeseries.parquet');
  const t = await ctx.readTable(pnlPath);
  const pnl = pnlFromTable(t, pnlPath);
  const attribution = { by_ticker: summary.pnl_by_ticker, by_component: summary.pnl_by_component, by_regime: summary.pnl_by_regime };
  ctx.writeBytes(ctx.output(), renderReport({ summary, pnl, attribution, strategyName: summary.strategy_name }));
}
