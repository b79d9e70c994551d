import type { TaskContext } from '../lib/dag/context.js';
import { computeFeatures } from '../lib/market/features/compute.js';
import { featureColumns, maxLookback } from '../lib/market/features/options.js';
import { computeLabels, FORWARD_LOOKING_COLUMNS } from '../lib/market/features/labels.js';
import { frameSchema, frameToTable, tableToBars } from '../lib/pipeline/frames.js';
import { RowWindow } from '../lib/dag/incremental/rowWindow.js';
import { checkNoInfinity } from '../lib/pipeline/finiteFrame.js';
import type { Settings } from '../lib/core/settings.js';

/** Node `features`: trend, volatility, volume and relative-strength features, plus ML labels. */
export default async function features(ctx: TaskContext): Promise<void> {
  const ticker = ctx.requireTicker();
  const benchmark = ctx.param<string>('benchmark');
  const f = ctx.param<Settings['features']>('features');
  const opts = { ...f.lookbacks, volume_z: f.volume_z, rs: f.rs };
  const horizons = ctx.param<number[]>('ml.horizons');
  const labels = ctx.param<Settings['labels']>('labels');
  const declared = ctx.spec.lookback ?? 0;
  const needed = Math.max(maxLookback(opts), labels.vol_window);
  if (needed > declared) throw new Error(`${ctx.where}: the configured windows need ${needed} rows of look-back, but pipeline.dag.yaml declares incremental.lookback: ${declared}`);
  const barsPath = ctx.input('processed', ticker, '.parquet');
  const benchPath = ctx.input('processed', benchmark, '.parquet');
  const window = await RowWindow.open(ctx, barsPath, { forwardRows: Math.max(...horizons) });
  const bars = tableToBars(window.table, barsPath);
  const bench = tableToBars(await ctx.readTable(benchPath, undefined, window.from), benchPath);
  const frame = computeFeatures(bars, bench, opts);
  Object.assign(frame.columns, computeLabels(bars.close, { horizons, ...labels }));
  checkNoInfinity(frame, ctx.where);
  const order = [...featureColumns(opts), ...FORWARD_LOOKING_COLUMNS(horizons)];
  await window.write(ctx.output(ticker), frameToTable(frame, order), frameSchema(order));
}
