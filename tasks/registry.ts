import type { TaskContext } from '../lib/dag/context.js';
import { summarizeFolds } from '../lib/market/ml/metrics.js';
import { finiteOrNull } from '../lib/pipeline/jsonNumbers.js';
import type { RegistryEntry } from './train.js';

type Sidecar = RegistryEntry & { featureImportanceGain: Record<string, number> };

/**
 * Node `registry`: the model registry (models.json), the latest model of each id under its plain
 * name, and metrics.json, assembled from the `train` instances' sidecars in plan order (horizon,
 * scope, fold), so the bytes do not depend on which instance finished first.
 */
export default function registry(ctx: TaskContext): void {
  const sidecars = ctx.inputs('train').filter((r) => r.path.endsWith('.json'));
  const models: RegistryEntry[] = sidecars.map((r) => {
    const { featureImportanceGain: _, ...entry } = JSON.parse(ctx.readText(r.path)) as Sidecar;
    return entry;
  });
  if (models.length === 0) throw new Error(`${ctx.where}: no trained model: the train node planned no fold`);
  const features = models[0].featureNames;
  const odd = models.find((m) => m.featureNames.join() !== features.join());
  if (odd) throw new Error(`${ctx.where}: ${odd.file} has features ${odd.featureNames.join(', ')}, ${models[0].file} has ${features.join(', ')}`);
  const modelsPath = ctx.output(undefined, 'models.json');
  const dir = modelsPath.slice(0, -'models.json'.length);
  const latestDir = ctx.spec.outputs.find((o) => o.endsWith('/'))!;
  const metrics: Record<string, unknown>[] = [];
  for (const id of [...new Set(models.map((m) => m.id))]) {
    const folds = models.filter((m) => m.id === id);
    const last = folds.at(-1)!;
    // the latest model also under its plain name, for an execution system or a notebook
    // (predict itself picks fold files by date from models.json)
    ctx.writeBytes(`${latestDir}${id}.onnx`, ctx.readBytes(`${dir}${last.file}`));
    ctx.writeJson(`${latestDir}${id}.json`, last);
    const scores = folds.map((m) => m.foldMetrics[0]);
    const summary = summarizeFolds(scores);
    metrics.push({ model: id, horizon: last.horizon, scope: last.scope, folds: scores, ...summary });
    ctx.log(`${id}: ${folds.length} folds predicting from ${folds[0].predictFirst} to ${last.predictLast}, out-of-sample log loss ${summary.logLoss.toFixed(4)} vs class-prior ${summary.priorLogLoss.toFixed(4)} (${summary.logLoss < summary.priorLogLoss ? 'beats' : 'does not beat'} the baseline), accuracy ${(100 * summary.accuracy).toFixed(1)}%`);
  }
  ctx.writeJson(modelsPath, finiteOrNull({ features, models }));
  ctx.writeJson(ctx.output(undefined, 'metrics.json'), finiteOrNull({ models: metrics }));
}
