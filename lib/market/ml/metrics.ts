/** Classification metrics on row-major probability matrices (n x C). */

/** Probabilities are clipped here before the log, as scikit-learn does, so one zero is not infinite. */
export const LOG_LOSS_EPS = 1e-15;

function rowsOf(probs: Float64Array, y: Int32Array, C: number): number {
  const n = y.length;
  if (probs.length !== n * C) throw new Error(`probabilities have ${probs.length} values, expected ${n} rows x ${C} classes`);
  if (n === 0) throw new Error('metrics need at least one row');
  for (let i = 0; i < n; i++) if (y[i] < 0 || y[i] >= C) throw new Error(`class id ${y[i]} at row ${i} out of range for ${C} classes`);
  return n;
}

/** Mean negative log probability of the true class. */
export function logLoss(probs: Float64Array, y: Int32Array, C: number): number {
  const n = rowsOf(probs, y, C);
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(Math.min(1, Math.max(probs[i * C + y[i]], LOG_LOSS_EPS)));
  return s / n;
}

/** Share of rows whose most probable class (first one on ties) is the true class. */
export function accuracy(probs: Float64Array, y: Int32Array, C: number): number {
  const n = rowsOf(probs, y, C);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c;
    if (best === y[i]) hits++;
  }
  return hits / n;
}

/** Training class frequencies, the no-skill forecast. */
export function classPrior(trainY: Int32Array, C: number): Float64Array {
  if (trainY.length === 0) throw new Error('class prior needs at least one training label');
  const p = new Float64Array(C);
  for (let i = 0; i < trainY.length; i++) {
    if (trainY[i] < 0 || trainY[i] >= C) throw new Error(`class id ${trainY[i]} at training row ${i} out of range for ${C} classes`);
    p[trainY[i]]++;
  }
  for (let c = 0; c < C; c++) p[c] /= trainY.length;
  return p;
}

/** Log loss on testY of always predicting the training class frequencies (the baseline a model must beat). */
export function priorLogLoss(trainY: Int32Array, testY: Int32Array, C: number): number {
  const prior = classPrior(trainY, C);
  const probs = new Float64Array(testY.length * C);
  for (let i = 0; i < testY.length; i++) probs.set(prior, i * C);
  return logLoss(probs, testY, C);
}

/** Per-fold out-of-sample figures (a fold without labelled test rows has rows 0, metrics NaN or null). */
export interface FoldScore {
  rows: number;
  logLoss: number | null;
  priorLogLoss: number | null;
  accuracy: number | null;
}

/** Row-weighted means over the folds with labelled test rows. */
export function summarizeFolds(folds: FoldScore[]): { rows: number; logLoss: number; priorLogLoss: number; accuracy: number } {
  const used = folds.filter((x) => x.rows > 0 && Number.isFinite(x.logLoss));
  const n = used.reduce((s, x) => s + x.rows, 0);
  const mean = (k: 'logLoss' | 'priorLogLoss' | 'accuracy') => used.reduce((s, x) => s + (x[k] as number) * x.rows, 0) / n;
  return { rows: n, logLoss: mean('logLoss'), priorLogLoss: mean('priorLogLoss'), accuracy: mean('accuracy') };
}
