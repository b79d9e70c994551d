import type { TaskContext } from '../lib/dag/context.js';
import { onnxPredict } from '../lib/market/ml/onnxPredict.js';
import { ONNX_SCORES } from '../lib/market/ml/onnx.js';
import { softmaxRows } from '../lib/market/ml/model.js';
import { frameSchema, frameToTable } from '../lib/pipeline/frames.js';
import { RowWindow } from '../lib/dag/incremental/rowWindow.js';
import { tickerRows } from '../lib/pipeline/mlDataset.js';
import { takeRows } from '../lib/market/ml/pooled.js';
import { GLOBAL_SCOPE, modelId, onnxContentHash } from '../lib/market/ml/registry.js';
import { stringColumn } from '../lib/io/table.js';
import type { Settings } from '../lib/core/settings.js';
import type { RegistryEntry } from './train.js';

/**
 * Node `predict`: next-state probabilities per date and horizon through ONNX Runtime, each
 * date from the latest model whose training labels all ended before it; null before the first.
 * `ml_score` is the mean over horizons of p_up - p_down.
 */
export default async function predict(ctx: TaskContext): Promise<void> {
  const ticker = ctx.requireTicker();
  const ml = {
    horizons: ctx.param<number[]>('ml.horizons'), scope: ctx.param<Settings['ml']['scope']>('ml.scope'),
    model_name: ctx.param<string>('ml.model_name'), version: ctx.param<number>('ml.version'),
  };
  const dir = ctx.inputs('registry').find((r) => r.path.endsWith('/'))!.path;
  const featPath = ctx.input('features', ticker);
  const window = await RowWindow.open(ctx, featPath);
  const dates = stringColumn(window.table, 'date', featPath);
  const n = dates.length;
  const registry = JSON.parse(ctx.readText(`${dir}models.json`)) as { features: string[]; models: RegistryEntry[] };
  const f = registry.features.length;
  const { X } = tickerRows(ticker, window.table, registry.features, null, featPath);
  const columns: Record<string, Float64Array> = {};
  const order: string[] = [];
  const score = new Float64Array(n);
  for (const h of ml.horizons) {
    const scope = ml.scope === 'global' ? GLOBAL_SCOPE : ticker;
    const id = modelId(ml.model_name, scope, h, ml.version);
    const models = registry.models.filter((m) => m.id === id).sort((a, b) => (a.trainWindow.labelEnd < b.trainWindow.labelEnd ? -1 : 1));
    if (models.length === 0) throw new Error(`No ML model found for horizon=${h}, ticker=${ticker}, model=${ml.model_name}`);
    const probs = [new Float64Array(n).fill(NaN), new Float64Array(n).fill(NaN), new Float64Array(n).fill(NaN)];
    // rows go to the latest model whose labels all ended strictly before the row's date
    let m = -1;
    const rowsOf = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      while (m + 1 < models.length && models[m + 1].trainWindow.labelEnd < dates[i]) m++;
      if (m >= 0) (rowsOf.get(m) ?? rowsOf.set(m, []).get(m)!).push(i);
    }
    for (const [k, rows] of rowsOf) {
      const idx = Int32Array.from(rows);
      // ONNX Runtime's Softmax gives last-bit differences depending on how many rows share a
      // batch (SIMD tails), which would make a daily run differ from a full one; the tree
      // scores are batch-independent, so the softmax is taken here.
      const bytes = ctx.readBytes(`${dir}${models[k].file}`);
      const p = await onnxPredict(bytes, takeRows(X, f, idx), idx.length, f, ONNX_SCORES, onnxContentHash(bytes));
      softmaxRows(p, idx.length, 3);
      idx.forEach((row, j) => {
        for (let c = 0; c < 3; c++) probs[c][row] = p[j * 3 + c];
      });
    }
    const s = probs[2].map((up, i) => up - probs[0][i]);
    Object.assign(columns, { [`p_down_h${h}`]: probs[0], [`p_flat_h${h}`]: probs[1], [`p_up_h${h}`]: probs[2], [`ml_score_h${h}`]: s });
    order.push(`p_down_h${h}`, `p_flat_h${h}`, `p_up_h${h}`, `ml_score_h${h}`);
    for (let i = 0; i < n; i++) score[i] += s[i] / ml.horizons.length;
  }
  columns.ml_score = score;
  order.push('ml_score');
  await window.write(ctx.output(ticker), frameToTable({ date: dates, columns }, order), frameSchema(order));
}
