import type { TaskContext } from '../lib/dag/context.js';
import { combineAlpha } from '../lib/market/meta/combine-alpha.js';
import { ALPHA_COMPONENTS, checkRegimeRows } from '../lib/market/meta/components.js';
import type { RegimeWeights } from '../lib/market/meta/regime-weights.js';
import { alignTo, frameSchema, frameToTable, tableToFrame } from '../lib/pipeline/frames.js';
import { RowWindow } from '../lib/dag/incremental/rowWindow.js';
import { numberColumn, stringColumn } from '../lib/io/table.js';

/**
 * Node `meta`: the regime-weighted combination of the alphas and the ML score. The weights at t
 * are the regime probabilities' mix of config/regimes.yaml's rows (validated by the weights node).
 */
export default async function meta(ctx: TaskContext): Promise<void> {
  const ticker = ctx.requireTicker();
  const signalsPath = ctx.input('signals', ticker);
  const window = await RowWindow.open(ctx, signalsPath);
  const signals = tableToFrame(window.table, signalsPath);
  const dates = signals.date;
  const predPath = ctx.input('predict', ticker);
  const pred = await ctx.readTable(predPath, ['ml_score'], window.from);
  const regimePath = ctx.input('regime', undefined, '.parquet');
  const regimes = await ctx.readTable(regimePath, undefined, window.from);
  const regimeDates = stringColumn(regimes, 'date', regimePath);
  const names = Object.keys(regimes.columns).filter((c) => c.startsWith('p_')).map((c) => c.slice(2));
  // validated by the weights node; `source` is the file the user edits
  const weights = JSON.parse(ctx.readText(ctx.input('weights'))) as RegimeWeights & { source: string };
  checkRegimeRows(Object.keys(weights.regimes), names, weights.source);

  const components: Record<string, Float64Array> = {};
  for (const c of ALPHA_COMPONENTS) {
    components[c] = c === 'ml_score'
      ? alignTo(dates, stringColumn(pred, 'date', predPath), numberColumn(pred, 'ml_score', predPath))
      : signals.columns[c];
  }
  const regimeProbs: Record<string, Float64Array> = {};
  for (const name of names) regimeProbs[name] = alignTo(dates, regimeDates, numberColumn(regimes, `p_${name}`, regimePath));
  const combined = combineAlpha({ components, regimeProbs, weights: weights.regimes });
  const columns: Record<string, Float64Array> = { alpha_score: combined.alpha_score };
  for (const c of ALPHA_COMPONENTS) columns[`contrib_${c}`] = combined.contrib[c];
  const order = ['alpha_score', ...ALPHA_COMPONENTS.map((c) => `contrib_${c}`)];
  await window.write(ctx.output(ticker), frameToTable({ date: dates, columns }, order), frameSchema(order));
}
