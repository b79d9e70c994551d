/**
 * Dumps one pooled walk-forward training fold of the 500-ticker x 6-year sample market (the
 * market of `bench/backtest-500.ts 500`) for the trainer comparison (bench/sklearn_compare.py):
 * runs the pipeline up to `features` in a temp work folder, pools every ticker's rows as the
 * `train` node does (tasks/train.ts, scope global), plans the date folds and writes the LAST fold
 * (the largest training set): its labelled training rows as the training set and its labelled
 * prediction rows as the test set, with the shipped GBDT parameters minus the ones
 * HistGradientBoostingClassifier has no equivalent of (bagging, feature_fraction) and without
 * early stopping (see bench/trainSet.ts for the file format).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/dump-fold.js /tmp/fold500 [--horizon 1] [--tickers 500] [--fold K]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { decodeParquet } from '../lib/io/parquet.js';
import { stackTickers, takeRows } from '../lib/market/ml/pooled.js';
import { planFoldsByDate, pooledFoldRows } from '../lib/market/ml/walkForward.js';
import { mlFeatureNames, tickerRows } from '../lib/pipeline/mlDataset.js';
import { writeTrainSet } from './trainSet.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const out = args[0];
if (!out || out.startsWith('--')) throw new Error('usage: node dist/bench/dump-fold.js OUT_BASE [--horizon 1] [--tickers 500] [--fold K]');
const horizon = Number(opt('horizon', '1'));
const nTickers = Number(opt('tickers', '500'));

const settings = parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')) as Record<string, any>;
settings.tickers = [...Array.from({ length: nTickers - 1 }, (_, i) => `S${String(i).padStart(3, '0')}`), 'SPY'];
settings.benchmark = 'SPY';
settings.backtest.start_date = '2019-01-01';
settings.backtest.end_date = '2021-12-31';
if (!settings.ml.horizons.includes(horizon)) throw new Error(`--horizon ${horizon} is not one of ml.horizons ${settings.ml.horizons}`);

const dir = mkdtempSync(join(tmpdir(), 'bench-dump-fold-'));
try {
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config/settings.yaml'), stringify(settings));
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(REPO, 'dist/bin/dag.js'), 'run', 'features', '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml')],
    { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (r.status !== 0) throw new Error(`dag run features failed (exit ${r.status}):\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  console.log(`features for ${nTickers} tickers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  let features: string[] = [];
  const parts = [];
  for (const t of settings.tickers as string[]) {
    const path = join(dir, 'artifacts/features', `${t}.parquet`);
    const table = await decodeParquet(readFileSync(path), path);
    if (features.length === 0) features = mlFeatureNames(Object.keys(table.columns));
    parts.push(tickerRows(t, table, features, horizon, path));
  }
  const f = features.length;
  const pooled = stackTickers(parts, f);
  const wf = settings.ml.walk_forward;
  const folds = planFoldsByDate(pooled.dates, {
    window: wf.window, window_days: wf.window_days, refit_every: wf.refit_every, min_train: wf.min_train,
    horizon, embargo: horizon + wf.embargo,
  });
  // The newest fold whose prediction window is complete (refit_every days): the largest training
  // set that also has a full year of test rows (the very last fold predicts only the remainder).
  let lastFull = folds.length;
  while (lastFull > 1 && countDays(pooled.dates, folds[lastFull - 1]) < wf.refit_every) lastFull--;
  const foldNo = Number(opt('fold', String(lastFull)));
  const fold = folds[foldNo - 1];
  if (!fold) throw new Error(`--fold ${foldNo}: there are ${folds.length} folds`);
  const rows = pooledFoldRows(pooled.dates, pooled.labelEndDates, fold);
  const train = rows.train.filter((i) => pooled.y[i] >= 0);
  const test = rows.predict.filter((i) => pooled.y[i] >= 0);
  const p = settings.ml.params;
  writeTrainSet(out, {
    header: {
      format: 'gbdt-trainset-v1',
      description: `sample market, ${nTickers} tickers, horizon ${horizon}, fold ${foldNo} of ${folds.length}: ` +
        `train ${fold.trainFirst}..${fold.trainLast}, test ${fold.predictFirst}..${fold.predictLast}`,
      f, nTrain: train.length, nTest: test.length, numClass: 3, features,
      params: {
        num_class: 3, num_rounds: p.num_rounds, learning_rate: p.learning_rate, num_leaves: p.num_leaves, max_depth: p.max_depth,
        min_data_in_leaf: p.min_data_in_leaf, lambda_l2: p.lambda_l2, max_bin: p.max_bin, seed: settings.ml.seed,
      },
    },
    Xtrain: takeRows(pooled.X, f, train), ytrain: Int32Array.from(train, (i) => pooled.y[i]),
    Xtest: takeRows(pooled.X, f, test), ytest: Int32Array.from(test, (i) => pooled.y[i]),
  });
  console.log(`wrote ${out}.json/.bin: ${train.length} training rows, ${test.length} test rows x ${f} features (${fold.trainFirst}..${fold.predictLast})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Calendar days a fold predicts. */
function countDays(dates: string[], fd: { predictFirst: string; predictLast: string }): number {
  return new Set(dates.filter((d) => d >= fd.predictFirst && d <= fd.predictLast)).size;
}
