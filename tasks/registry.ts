import type { TaskContext } from '../lib/dag/context.js';
import { summarizeFolds } from '../lib/market/ml/metrics.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';
import type { FoldResult, RegistryEntry } from './train.js';

/**
 * Node `registry`: the models folder (each trained fold's ONNX file and sidecar, the latest model
 * of each id under its plain name, models.json) and metrics.json, assembled from the `train`
 * instances' results in plan order (horizon, scope, fold), so the bytes do not depend on which
 * instance finished first. Pending folds (the data does not reach them yet) are listed in the log.
 */
export default function registry(ctx: TaskContext): void {
  const dir = ctx.spec.outputs.find((o) => o.endsWith('/'))!;
  const results = ctx.inputs('train').map((r) => JSON.parse(ctx.readText(r.path)) as FoldResult);
  const models: RegistryEntry[] = [];
  for (const r of results) {
    if (r.pending) {
      ctx.log(`${r.key}: no model yet: ${r.pending}`);
      continue;
    }
    const { featureImportanceGain: _, ...entry } = r.sidecar!;
    ctx.writeBytes(`${dir}${entry.file}`, Buffer.from(r.onnxBase64!, 'base64'));
    ctx.writeJson(`${dir}${entry.file.replace(/\.onnx$/, '.json')}`, r.sidecar);
    models.push(entry);
  }
  if (models.length === 0) throw new Error(`${ctx.where}: no fold has data to train on (${results.length} planned, all pending)`);
  const features = models[0].featureNames;
  const odd = models.find((m) => m.featureNames.join() !== features.join());
  if (odd) throw new Error(`${ctx.where}: ${odd.file} has features ${odd.featureNames.join(', ')}, ${models[0].file} has ${features.join(', ')}`);
  const metrics: Record<string, unknown>[] = [];
  for (const id of [...new Set(models.map((m) => m.id))]) {
    const folds = models.filter((m) => m.id === id);
    const last = folds.at(-1)!;
    // the latest model also under its plain name, for an execution system or a notebook
    // (predict itself picks fold files by date from models.json)
    ctx.writeBytes(`${dir}${id}.onnx`, ctx.readStagedBytes(`${dir}${last.file}`));
    ctx.writeJson(`${dir}${id}.json`, last);
    const scores = folds.map((m) => m.foldMetrics[0]);
    const summary = summarizeFolds(scores);
    metrics.push({ model: id, horizon: last.horizon, scope: last.scope, folds: scores, ...summary });
    ctx.log(
      `${id}: ${folds.length} folds, predicting from ${folds[0].predictFirst} (the first date a consumer reads: backtest.start_date) on, ` +
        `a refit every ml.walk_forward.refit_every trading days; out-of-sample log loss ${summary.logLoss.toFixed(4)} vs class-prior ${summary.priorLogLoss.toFixed(4)} ` +
        `(${summary.logLoss < summary.priorLogLoss ? 'beats' : 'does not beat'} the baseline), accuracy ${(100 * summary.accuracy).toFixed(1)}%`,
    );
  }
  ctx.writeJson(`${dir}models.json`, finiteOrNull({ features, models }));
  ctx.writeJson(ctx.output(undefined, 'metrics.json'), finiteOrNull({ models: metrics }));
}
