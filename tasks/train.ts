import type { TaskContext } from '../lib/dag/context.js';
import { trainGbdt } from '../lib/market/ml/gbdt.js';
import { predictProba } from '../lib/market/ml/model.js';
import { exportOnnx } from '../lib/market/ml/onnx.js';
import { accuracy, logLoss, priorLogLoss } from '../lib/market/ml/metrics.js';
import { pooledFoldRows } from '../lib/market/ml/walkForward.js';
import { stackTickers, takeRows, type PooledRows, type TickerRows } from '../lib/market/ml/pooled.js';
import { GLOBAL_SCOPE, onnxContentHash, type ModelMeta } from '../lib/market/ml/registry.js';
import { mlFeatureNames, tickerRows } from '../lib/pipeline/mlDataset.js';
import { lowerBound, stringColumn } from '../lib/io/table.js';
import type { TrainFold } from '../lib/pipeline/trainFolds.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';
import { featureCoverage } from '../lib/market/ml/complete-rows.js';

export const CLASSES = ['down', 'flat', 'up'];

export interface RegistryEntry extends ModelMeta {
  /** File of this fold's model in the models folder. */
  file: string;
  /** First and last date this model predicts in the walk-forward backtest. */
  predictFirst: string;
  predictLast: string;
}

/** Sidecar of a fold's model: its registry entry and its feature importances. */
export type Sidecar = RegistryEntry & { featureImportanceGain: Record<string, number> };

/**
 * What a `train` instance writes: its model (ONNX bytes in base64, and the sidecar), or why it
 * has none yet. The registry node turns these into the models folder.
 */
export interface FoldResult {
  key: string;
  /** Set when the data does not reach the fold's first prediction date yet. */
  pending?: string;
  sidecar?: Sidecar;
  onnxBase64?: string;
}

/**
 * Node `train`, one instance per walk-forward fold of each horizon (lib/pipeline/trainFolds.ts
 * plans them): a gradient-boosted next-state model trained on the fold's rows (pooled over all
 * tickers, or the scope's ticker), exported to ONNX, with its registry entry, its out-of-sample
 * metrics against the class-prior baseline and its feature importances. A fold whose first
 * prediction date is after the data's last date is pending: trained now, its training set would
 * lack labels that a run after more data arrives would have.
 */
export default async function train(ctx: TaskContext): Promise<void> {
  const { value: fold } = ctx.requireItem<TrainFold>();
  const minTrain = ctx.param<number>('ml.walk_forward.min_train');
  const validFraction = ctx.param<number>('ml.walk_forward.valid_fraction');
  const tickers = fold.scope === GLOBAL_SCOPE ? ctx.tickers : [fold.scope];
  const h = fold.horizon;
  // one ticker at a time: only the rows and columns the fold needs stay in memory, not 500 files
  const target = `target_state_h${h}`;
  let features: string[] | undefined;
  let dataEnd = '';
  const parts: TickerRows[] = [];
  for (const t of tickers) {
    const path = ctx.input('features', t);
    const file = await ctx.openTable(path);
    features ??= mlFeatureNames([...file.kinds.keys()]);
    const dates = stringColumn(await file.read(['date']), 'date', path);
    if (dates.length > 0 && dates[dates.length - 1] > dataEnd) dataEnd = dates[dates.length - 1];
    // the rows this fold trains on or predicts, plus h more for the last rows' labels
    const from = fold.trainFirst === null ? 0 : lowerBound(dates, fold.trainFirst);
    const to = Math.min(dates.length, upperBound(dates, fold.predictLast) + h);
    parts.push(tickerRows(t, await file.read([...features, target], from, to), features, h, path));
  }
  if (dataEnd < fold.predictFirst) {
    const pending = `the data ends ${dataEnd}, before the fold's first prediction date ${fold.predictFirst}: it trains once the data reaches that date`;
    ctx.writeJson(ctx.output(), { key: fold.key, pending } satisfies FoldResult);
    ctx.log(`pending: ${pending}`);
    return;
  }
  if (!features) throw new Error(`${ctx.where}: no features input`);
  const pooled = stackTickers(parts, features.length);
  checkCoverage(pooled, features, fold.scope);
  const rows = pooledFoldRows(pooled.dates, pooled.labelEndDates, { trainFirst: fold.trainFirst ?? '', trainLast: fold.trainLast, predictFirst: fold.predictFirst, predictLast: fold.predictLast });
  const trainRows = rows.train.filter((i) => pooled.y[i] >= 0);
  const trainDates = new Set(Array.from(trainRows, (i) => pooled.dates[i])).size;
  if (trainDates < minTrain || trainRows.length < 2 * fold.params.min_data_in_leaf) {
    throw new Error(
      `${ctx.where}: only ${trainDates} dates (${trainRows.length} labelled rows) to train the model predicting from ${fold.predictFirst}; ` +
        `ml.walk_forward.min_train is ${minTrain} dates and ml.params.min_data_in_leaf needs ${2 * fold.params.min_data_in_leaf} rows: ` +
        'move backtest.start_date later or supply a longer history',
    );
  }
  const model = fitFold(pooled, trainRows, fold.params, validFraction, features.length);
  const testRows = rows.predict.filter((i) => pooled.y[i] >= 0);
  const test = evaluate(pooled, trainRows, testRows, model, features.length);
  const bytes = exportOnnx(model, features, { classes: CLASSES, metadata: { model: fold.model, predict_first: fold.predictFirst } });
  const file = `${fold.key}.onnx`;
  const labelEnd = trainRows.reduce((m, i) => (pooled.labelEndDates[i] > m ? pooled.labelEndDates[i] : m), '');
  const fm = { predictFirst: fold.predictFirst, predictLast: fold.predictLast, rows: testRows.length, ...test };
  const entry: RegistryEntry = {
    id: fold.model, modelName: fold.modelName, scope: fold.scope, horizon: h, version: fold.version, featureNames: features, classes: CLASSES,
    trainWindow: { first: pooled.dates[trainRows[0]], last: pooled.dates[trainRows[trainRows.length - 1]], labelEnd },
    foldMetrics: [fm], params: model.params, bestIteration: model.bestIteration, contentHash: onnxContentHash(bytes),
    file, predictFirst: fold.predictFirst, predictLast: fold.predictLast,
  };
  // a fold without labelled test rows yet (the newest one) has undefined metrics: null
  const sidecar = finiteOrNull({ ...entry, featureImportanceGain: Object.fromEntries(features.map((name, j) => [name, model.featureImportanceGain[j]])) });
  ctx.writeJson(ctx.output(), { key: fold.key, sidecar, onnxBase64: Buffer.from(bytes).toString('base64') } satisfies FoldResult);
  ctx.log(`${trainRows.length} training rows ${entry.trainWindow.first} .. ${entry.trainWindow.last}, ${testRows.length} labelled test rows`);
}

/** The features layer produced nothing usable when no row of the fold's data has every feature. */
function checkCoverage(pooled: PooledRows, features: string[], scope: string): void {
  const { complete, perFeature } = featureCoverage(pooled.X, pooled.n, features.length);
  if (complete > 0) return;
  const scarce = features.map((name, j) => ({ name, rows: perFeature[j]! })).sort((a, b) => a.rows - b.rows).slice(0, 3);
  throw new Error(
    `train: the features layer produced no usable row for ${scope === GLOBAL_SCOPE ? `any of ${pooled.tickers.join(', ')}` : scope}: ` +
      `none of the ${pooled.n} rows has every ML feature; the scarcest: ${scarce.map((s) => `${s.name} on ${s.rows} rows`).join(', ')} ` +
      '(a window longer than the history, or a benchmark without common dates)',
  );
}

/** Index of the first date after `d` in ascending `dates`. */
function upperBound(dates: string[], d: string): number {
  const i = lowerBound(dates, d);
  return i < dates.length && dates[i] === d ? i + 1 : i;
}

/** Train on the fold's rows; the latest valid_fraction of them (by date) is the early-stopping set. */
function fitFold(pooled: PooledRows, trainRows: Int32Array, params: Record<string, number>, validFraction: number, f: number) {
  const nValid = Math.floor(trainRows.length * validFraction);
  const fit = trainRows.subarray(0, trainRows.length - nValid);
  const valid = trainRows.subarray(trainRows.length - nValid);
  return trainGbdt(
    takeRows(pooled.X, f, fit), Int32Array.from(fit, (i) => pooled.y[i]), fit.length, f, params,
    nValid > 0 ? { X: takeRows(pooled.X, f, valid), y: Int32Array.from(valid, (i) => pooled.y[i]), n: valid.length } : undefined,
  );
}

function evaluate(pooled: PooledRows, trainRows: Int32Array, testRows: Int32Array, model: ReturnType<typeof trainGbdt>, f: number) {
  if (testRows.length === 0) return { logLoss: NaN, priorLogLoss: NaN, accuracy: NaN };
  const probs = predictProba(model, takeRows(pooled.X, f, testRows), testRows.length);
  const y = Int32Array.from(testRows, (i) => pooled.y[i]);
  return {
    logLoss: logLoss(probs, y, 3),
    priorLogLoss: priorLogLoss(Int32Array.from(trainRows, (i) => pooled.y[i]), y, 3),
    accuracy: accuracy(probs, y, 3),
  };
}
