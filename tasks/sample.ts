import type { TaskContext } from '../lib/dag/context.js';
import { generateSampleMarket } from '../lib/market/data/sample.js';
import { sampleEnd, sampleStart } from '../lib/pipeline/sampleWindow.js';
import { marketSymbols } from '../lib/core/symbols.js';

/**
 * Rows of feature look-back the sample provides before the training windows: the `lookback` the
 * features node declares in pipeline.dag.yaml, the longest history any accepted features config may
 * read (tasks/features.ts refuses a config needing more). A constant, not derived from the
 * `features` settings, so that editing feature windows does not regenerate the market (and make
 * `processed` and everything after it stale) when the data would be the same.
 */
export const SAMPLE_FEATURE_LOOKBACK = 260;

/** Node `sample`: the embedded synthetic market, written as raw Yahoo-style CSVs. */
export default function sample(ctx: TaskContext): void {
  const tickers = ctx.param<string[]>('tickers');
  const benchmark = ctx.param<string>('benchmark');
  const trainRows = Math.max(ctx.param<number>('ml.walk_forward.min_train'), ctx.param<number>('regime.min_train'));
  const market = generateSampleMarket({
    tickers,
    benchmark,
    start: sampleStart(ctx.param<string>('backtest.start_date'), SAMPLE_FEATURE_LOOKBACK, trainRows),
    end: sampleEnd(ctx.param<string>('backtest.end_date'), ctx.param<number>('data.sample.extra_days')),
    seed: ctx.param<number>('data.sample.seed'),
  });
  // the benchmark's file too when it is not traded: relative strength, regimes and the benchmark return read it
  for (const t of marketSymbols(tickers, benchmark)) ctx.writeBytes(ctx.output(t), market.files[t]);
  ctx.writeBytes(ctx.output(undefined, '_sample_regimes.csv'), market.regimes);
  const untraded = tickers.includes(benchmark) ? '' : ` and the untraded benchmark ${benchmark}`;
  ctx.log(`${tickers.length} tickers${untraded}, ${market.calendar.length} days ${market.calendar[0]} .. ${market.calendar.at(-1)}`);
}
