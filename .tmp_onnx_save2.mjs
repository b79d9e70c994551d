import { writeFileSync } from 'node:fs';
import { trainGbdt } from './dist/lib/market/ml/gbdt.js';
import { exportOnnx } from './dist/lib/market/ml/onnx.js';
import { syntheticClasses } from './dist/lib/market/ml/synthetic.js';
const f = 30;
const train = syntheticClasses(100000, f, 1);
const model = trainGbdt(train.X, train.y, 100000, f, { num_rounds: 200, num_leaves: 31, learning_rate: 0.1, seed: 7 });
writeFileSync('/tmp/bench_model.json', JSON.stringify(model));
writeFileSync('/tmp/bench_model_new.onnx', exportOnnx(model, Array.from({ length: f }, (_, j) => `x${j}`)));
