import type { TaskContext } from '../lib/dag/context.js';
import { generateSampleMarket } from '../lib/market/data/sample.js';
import { maxLookback } from '../lib/market/features/options.js';
import { sampleEnd, sampleStart } from '../lib/pipeline/sampleWindow.js';
import type { Settings } from '../lib/core/settings.js';

/** Node `sample`: the embedded synthetic market, written as raw Yahoo-style CSVs. */
export default function sample(ctx: TaskContext): void {
  const tickers = ctx.param<string[]>('tickers');
  const features = ctx.param<Settings['features']>('features');
  const lookback = maxLookback({ ...features.lookbacks, volume_z: features.volume_z, rs: features.rs });
  const trainRows = Math.max(ctx.param<number>('ml.walk_forward.min_train'), ctx.param<number>('regime.min_train'));
  const market = generateSampleMarket({
    tickers,
    benchmark: ctx.param<string>('benchmark'),
    start: sampleStart(ctx.param<string>('backtest.start_date'), lookback, trainRows),
    end: sampleEnd(ctx.param<string>('backtest.end_date'), ctx.param<number>('data.sample.extra_days')),
    seed: ctx.param<number>('data.sample.seed'),
  });
  for (const t of tickers) ctx.writeBytes(ctx.output(t), market.files[t]);
  ctx.writeBytes(ctx.output(undefined, '_sample_regimes.csv'), market.regimes);
  ctx.log(`${tickers.length} tickers, ${market.calendar.length} days ${market.calendar[0]} .. ${market.calendar.at(-1)}`);
}
