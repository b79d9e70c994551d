/**
 * Training speed of the histogram GBDT: 100,000 rows x 30 features x 3 classes x 200 rounds,
 * 31 leaves (target: <= 20 s). Run: `npx tsc -p tsconfig.json && node dist/bench/ml-train.js`.
 * Optional argument: a path to write the data as CSV for an external comparison
 * (scikit-learn's HistGradientBoostingClassifier).
 */
import { writeFileSync } from 'node:fs';
import { trainGbdt } from '../lib/market/ml/gbdt.js';
import { accuracy, logLoss } from '../lib/market/ml/metrics.js';
import { predictProba } from '../lib/market/ml/model.js';
import { syntheticClasses } from '../lib/market/ml/synthetic.js';

const n = 100_000;
const f = 30;
const rounds = Number(process.argv[3] ?? 200);
const train = syntheticClasses(n, f, 1);
const test = syntheticClasses(20_000, f, 2);

const t0 = performance.now();
const model = trainGbdt(train.X, train.y, n, f, { num_rounds: rounds, num_leaves: 31, learning_rate: 0.1, seed: 7 });
const secs = (performance.now() - t0) / 1000;
const probs = predictProba(model, test.X, 20_000);
console.log(
  `train ${n} x ${f} x 3 classes x ${rounds} rounds, 31 leaves: ${secs.toFixed(2)} s ` +
    `(target <= 20 s); test accuracy ${accuracy(probs, test.y, 3).toFixed(4)}, log loss ${logLoss(probs, test.y, 3).toFixed(4)}`,
);

const csvPath = process.argv[2];
if (csvPath) {
  const lines: string[] = [];
  const dump = (X: Float64Array, y: Int32Array, rows: number, split: string) => {
    for (let i = 0; i < rows; i++) {
      const cells = Array.from(X.subarray(i * f, (i + 1) * f), (v) => (Number.isNaN(v) ? '' : String(v)));
      lines.push(`${split},${y[i]},${cells.join(',')}`);
    }
  };
  dump(train.X, train.y, n, 'train');
  dump(test.X, test.y, 20_000, 'test');
  writeFileSync(csvPath, lines.join('\n') + '\n');
}
