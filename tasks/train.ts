import type { TaskContext } from '../lib/dag/context.js';
import { trainGbdt } from '../lib/market/ml/gbdt.js';
import { predictProba } from '../lib/market/ml/model.js';
import { exportOnnx } from '../lib/market/ml/onnx.js';
import { accuracy, logLoss, priorLogLoss } from '../lib/market/ml/metrics.js';
import { planFoldsByDate, pooledFoldRows } from '../lib/market/ml/walkForward.js';
import { stackTickers, takeRows, type PooledRows } from '../lib/market/ml/pooled.js';
import { GLOBAL_SCOPE, modelId, onnxContentHash, type ModelMeta } from '../lib/market/ml/registry.js';
import { mlFeatureNames, tickerRows } from '../lib/pipeline/mlDataset.js';
import type { Settings } from '../lib/core/settings.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';
import { featureCoverage } from '../lib/market/ml/complete-rows.js';

const CLASSES = ['down', 'flat', 'up'];

export interface RegistryEntry extends ModelMeta {
  /** File of this fold's model in the models folder. */
  file: string;
  /** First and last date this model predicts in the walk-forward backtest. */
  predictFirst: string;
  predictLast: string;
}

/**
 * Node `train`: walk-forward gradient-boosted next-state models per horizon (pooled over all
 * tickers, or one per ticker), each exported to ONNX with a JSON sidecar; fold metrics against
 * the class-prior baseline go to metrics.json.
 */
export default async function train(ctx: TaskContext): Promise<void> {
  const ml = ctx.param<Settings['ml']>('ml');
  const dir = ctx.spec.outputs.find((o) => o.endsWith('/'))!;
  const tables = await Promise.all(ctx.tickers.map(async (t) => ({ t, path: ctx.input('features', t), table: await ctx.readTable(ctx.input('features', t)) })));
  const features = mlFeatureNames(Object.keys(tables[0].table.columns));
  const registry: RegistryEntry[] = [];
  const metrics: Record<string, unknown>[] = [];
  const scopes = ml.scope === 'global' ? [GLOBAL_SCOPE] : ctx.tickers;
  for (const h of ml.horizons) {
    for (const scope of scopes) {
      const parts = tables.filter((x) => scope === GLOBAL_SCOPE || x.t === scope).map((x) => tickerRows(x.t, x.table, features, h, x.path));
      const pooled = stackTickers(parts, features.length);
      checkCoverage(pooled, features, scope);
      const folds = planFoldsByDate(pooled.dates, {
        window: ml.walk_forward.window, window_days: ml.walk_forward.window_days, refit_every: ml.walk_forward.refit_every,
        min_train: ml.walk_forward.min_train, horizon: h, embargo: h + ml.walk_forward.embargo,
      });
      const id = modelId(ml.model_name, scope, h, ml.version);
      const foldMetrics: Record<string, unknown>[] = [];
      for (const fold of folds) {
        const rows = pooledFoldRows(pooled.dates, pooled.labelEndDates, fold);
        const trainRows = rows.train.filter((i) => pooled.y[i] >= 0);
        if (trainRows.length < 2 * ml.params.min_data_in_leaf) continue;
        const model = fitFold(pooled, trainRows, ml, features.length);
        const testRows = rows.predict.filter((i) => pooled.y[i] >= 0);
        const test = evaluate(pooled, trainRows, testRows, model, features.length);
        const bytes = exportOnnx(model, features, { classes: CLASSES, metadata: { model: id, predict_first: fold.predictFirst } });
        const file = `${id}@${fold.predictFirst}.onnx`;
        const labelEnd = trainRows.reduce((m, i) => (pooled.labelEndDates[i] > m ? pooled.labelEndDates[i] : m), '');
        const fm = { predictFirst: fold.predictFirst, predictLast: fold.predictLast, rows: testRows.length, ...test };
        const entry: RegistryEntry = {
          id, modelName: ml.model_name, scope, horizon: h, version: ml.version, featureNames: features, classes: CLASSES,
          trainWindow: { first: pooled.dates[trainRows[0]], last: pooled.dates[trainRows[trainRows.length - 1]], labelEnd },
          foldMetrics: [fm], params: model.params, bestIteration: model.bestIteration, contentHash: onnxContentHash(bytes),
          file, predictFirst: fold.predictFirst, predictLast: fold.predictLast,
        };
        ctx.writeBytes(`${dir}${file}`, bytes);
        // a fold without labelled test rows yet (the newest one) has undefined metrics: null
        ctx.writeJson(`${dir}${file.replace(/\.onnx$/, '.json')}`, finiteOrNull({ ...entry, featureImportanceGain: Object.fromEntries(features.map((name, j) => [name, model.featureImportanceGain[j]])) }));
        registry.push(entry);
        foldMetrics.push(fm);
      }
      const last = registry.filter((e) => e.id === id).at(-1);
      if (!last) throw new Error(noModel(id, pooled, ml));
      // the latest model also under its plain name, for an execution system or a notebook
      // (predict itself picks fold files by date from models.json)
      ctx.writeBytes(`${dir}${id}.onnx`, await ctx.readStagedBytes(`${dir}${last.file}`));
      ctx.writeJson(`${dir}${id}.json`, finiteOrNull(last));
      const summary = summarizeFolds(foldMetrics as { rows: number; logLoss: number; priorLogLoss: number; accuracy: number }[]);
      metrics.push({ model: id, horizon: h, scope, folds: foldMetrics, ...summary });
      ctx.log(`${id}: ${foldMetrics.length} folds, out-of-sample log loss ${summary.logLoss.toFixed(4)} vs class-prior ${summary.priorLogLoss.toFixed(4)} (${summary.logLoss < summary.priorLogLoss ? 'beats' : 'does not beat'} the baseline), accuracy ${(100 * summary.accuracy).toFixed(1)}%`);
    }
  }
  ctx.writeJson(`${dir}models.json`, finiteOrNull({ features, models: registry }));
  ctx.writeJson(ctx.spec.outputs.find((o) => o.endsWith('metrics.json'))!, finiteOrNull({ models: metrics }));
}

/** The features layer produced nothing usable when no row of the training set has every feature. */
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

/** Why a horizon got no model: no walk-forward fold had enough labelled history. */
function noModel(id: string, pooled: PooledRows, ml: Settings['ml']): string {
  const labelled = pooled.y.reduce((s, y) => s + (y >= 0 ? 1 : 0), 0);
  const dates = new Set(pooled.dates).size;
  return (
    `train: no model trained for ${id}: ${labelled} labelled rows over ${dates} dates, but the first walk-forward fold needs ` +
    `ml.walk_forward.min_train = ${ml.walk_forward.min_train} dates of history and at least 2 x ml.params.min_data_in_leaf = ` +
    `${2 * ml.params.min_data_in_leaf} labelled rows; every ML score would be null`
  );
}

/** Train on the fold's rows; the latest valid_fraction of them (by date) is the early-stopping set. */
function fitFold(pooled: PooledRows, trainRows: Int32Array, ml: Settings['ml'], f: number) {
  const nValid = Math.floor(trainRows.length * ml.walk_forward.valid_fraction);
  const fit = trainRows.subarray(0, trainRows.length - nValid);
  const valid = trainRows.subarray(trainRows.length - nValid);
  const params = { ...ml.params, num_class: 3, seed: ml.seed };
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

/** Row-weighted means over folds with test rows. */
function summarizeFolds(folds: { rows: number; logLoss: number; priorLogLoss: number; accuracy: number }[]) {
  const used = folds.filter((x) => x.rows > 0 && Number.isFinite(x.logLoss));
  const n = used.reduce((s, x) => s + x.rows, 0);
  const mean = (k: 'logLoss' | 'priorLogLoss' | 'accuracy') => used.reduce((s, x) => s + x[k] * x.rows, 0) / n;
  return { rows: n, logLoss: mean('logLoss'), priorLogLoss: mean('priorLogLoss'), accuracy: mean('accuracy') };
}
