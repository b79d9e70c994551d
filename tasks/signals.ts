import type { TaskContext } from '../lib/dag/context.js';
import { computeSignals, SIGNAL_COLUMNS, type SignalOptions } from '../lib/market/signals/compute.js';
import { frameSchema, frameToTable, tableToFrame } from '../lib/pipeline/frames.js';
import { RowWindow } from '../lib/dag/incremental/rowWindow.js';
import { checkNoInfinity } from '../lib/pipeline/finiteFrame.js';

/** Node `signals`: the four rule-based alphas, row-wise functions of the features. */
export default async function signals(ctx: TaskContext): Promise<void> {
  const ticker = ctx.requireTicker();
  const path = ctx.input('features', ticker);
  const window = await RowWindow.open(ctx, path);
  const frame = computeSignals(tableToFrame(window.table, path), ctx.param<SignalOptions>('signals'));
  checkNoInfinity(frame, ctx.where);
  const order = [...SIGNAL_COLUMNS];
  await window.write(ctx.output(ticker), frameToTable(frame, order), frameSchema(order));
}
