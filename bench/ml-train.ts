/**
 * Training speed of the histogram GBDT. By default on the synthetic set: 100,000 rows x 30
 * features x 3 classes x 200 rounds, 31 leaves (target: <= 20 s).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/ml-train.js [options]
 *   --data BASE    train on a dumped set instead (bench/trainSet.ts format, e.g. from bench/dump-fold.ts),
 *                  with the parameters in its header
 *   --dump BASE    write the synthetic set (or the --data set) as BASE.json/.bin for bench/sklearn_compare.py
 *   --rounds N     override num_rounds
 *   --set k=v,...  override other parameters, e.g. --set feature_fraction=0.8,bagging_fraction=0.8,bagging_freq=1
 *                  (the pipeline's sampling, which scikit-learn 1.2 has no equivalent of)
 *   --repeat K     train K times in this process and print each time
 *
 * Prints the training time (wall, and the process's CPU time, which a loaded machine disturbs less)
 * and the test set's accuracy and log loss (out of sample).
 */
import { trainGbdt } from '../lib/market/ml/gbdt.js';
import { accuracy, logLoss } from '../lib/market/ml/metrics.js';
import { predictProba } from '../lib/market/ml/model.js';
import { DEFAULT_GBDT_PARAMS, type GbdtParams } from '../lib/market/ml/params.js';
import { syntheticClasses } from '../lib/market/ml/synthetic.js';
import { readTrainSet, writeTrainSet, type TrainSet } from './trainSet.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

function synthetic(): TrainSet {
  const n = 100_000;
  const f = 30;
  const train = syntheticClasses(n, f, 1);
  const test = syntheticClasses(20_000, f, 2);
  return {
    header: {
      format: 'gbdt-trainset-v1',
      description: 'synthetic 3-class rule (lib/market/ml/synthetic.ts), seeds 1 (train) and 2 (test)',
      f, nTrain: n, nTest: 20_000, numClass: 3, features: Array.from({ length: f }, (_, j) => `x${j}`),
      params: { num_class: 3, num_rounds: 200, num_leaves: 31, learning_rate: 0.1, min_data_in_leaf: 20, lambda_l2: 0, max_bin: 255, seed: 7 },
    },
    Xtrain: train.X, ytrain: train.y, Xtest: test.X, ytest: test.y,
  };
}

const dataPath = opt('data');
const set = dataPath ? readTrainSet(dataPath) : synthetic();
const dumpPath = opt('dump');
if (dumpPath) writeTrainSet(dumpPath, set);
const { f, nTrain, nTest, numClass } = set.header;
for (const k of Object.keys(set.header.params)) if (!(k in DEFAULT_GBDT_PARAMS)) throw new Error(`${dataPath}.json: params.${k} is not a GBDT parameter`);
const overrides = Object.fromEntries((opt('set') ?? '').split(',').filter(Boolean).map((kv) => {
  const [k, v] = kv.split('=');
  if (!(k in DEFAULT_GBDT_PARAMS) || v === undefined || !Number.isFinite(Number(v))) throw new Error(`--set ${kv}: expected <GBDT parameter>=<number>`);
  return [k, Number(v)];
}));
const params: Partial<GbdtParams> = { ...set.header.params, ...overrides, ...(opt('rounds') ? { num_rounds: Number(opt('rounds')) } : {}) };
const repeat = Number(opt('repeat') ?? 1);
for (let k = 0; k < repeat; k++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const model = trainGbdt(set.Xtrain, set.ytrain, nTrain, f, params);
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const probs = predictProba(model, set.Xtest, nTest);
  console.log(
    `ours: train ${nTrain} x ${f} x ${numClass} classes x ${params.num_rounds} rounds, ${params.num_leaves} leaves: ${secs.toFixed(2)} s (cpu ${cpuSecs.toFixed(2)} s); ` +
      `test ${nTest} rows accuracy ${accuracy(probs, set.ytest, numClass).toFixed(4)}, log loss ${logLoss(probs, set.ytest, numClass).toFixed(4)}`,
  );
}
