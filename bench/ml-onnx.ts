/**
 * ONNX inference speed on 100,000 rows x 30 features (target: <= 1 s, one thread) for the model
 * of bench/ml-train.ts (100,000 training rows, 3 classes, 200 rounds, 31 leaves), with the
 * JavaScript tree walk and the max difference between the two for reference.
 * Run: `npx tsc -p tsconfig.json && node dist/bench/ml-onnx.js [rounds] [training rows]`.
 */
import { trainGbdt } from '../lib/market/ml/gbdt.js';
import { predictProba } from '../lib/market/ml/model.js';
import { exportOnnx } from '../lib/market/ml/onnx.js';
import { onnxPredict } from '../lib/market/ml/onnxPredict.js';
import { syntheticClasses } from '../lib/market/ml/synthetic.js';

const f = 30;
const rounds = Number(process.argv[2] ?? 200);
const nTrain = Number(process.argv[3] ?? 100_000);
const train = syntheticClasses(nTrain, f, 1);
const model = trainGbdt(train.X, train.y, nTrain, f, { num_rounds: rounds, num_leaves: 31, learning_rate: 0.1, seed: 7 });
const names = Array.from({ length: f }, (_, j) => `x${j}`);
const t0 = performance.now();
const bytes = exportOnnx(model, names);
const tExport = performance.now() - t0;

const n = 100_000;
const test = syntheticClasses(n, f, 2);
await onnxPredict(bytes, test.X.subarray(0, 10 * f), 10, f); // load the native module once
const t1 = performance.now();
const onnx = await onnxPredict(bytes, test.X, n, f);
const tOnnx = performance.now() - t1;
const t2 = performance.now();
const js = predictProba(model, test.X, n);
const tJs = performance.now() - t2;
let maxDiff = 0;
for (let i = 0; i < js.length; i++) maxDiff = Math.max(maxDiff, Math.abs(js[i] - onnx[i]));
console.log(
  `${model.trees.length} trees (${model.numRounds} rounds x 3 classes), ${bytes.length} bytes, export ${tExport.toFixed(0)} ms; ` +
    `ONNX inference of ${n} rows: ${(tOnnx / 1000).toFixed(3)} s (target <= 1 s, session create included); ` +
    `JS tree walk: ${(tJs / 1000).toFixed(3)} s; max |ONNX - JS| = ${maxDiff.toExponential(2)}`,
);
