import { InvalidArgumentError, type Command } from 'commander';
import { SWEEP_METRICS } from './metrics.js';

const evenSplits = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0 || n > 24) throw new InvalidArgumentError('must be an even integer from 2 to 24');
  return n;
};

const metricName = (v: string) => {
  if (!(v in SWEEP_METRICS)) throw new InvalidArgumentError(`must be one of ${Object.keys(SWEEP_METRICS).join(', ')}`);
  return v;
};

/**
 * The options the pipeline adds to `dag sweep`. Apart from the results and report code
 * (hooks.ts), so that defining the CLI at start-up loads neither parquet nor the report.
 */
export const sweepOptions = (cmd: Command): Command => cmd
  .option('--splits <S>', 'blocks of the PBO cross-validation (even, 2 to 24)', evenSplits, 16)
  .option('--heatmap <metric>', 'metric of the report\'s heatmap', metricName, 'sharpe');
