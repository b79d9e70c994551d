/**
 * Walk-forward fold planning: which rows train each model and which rows it predicts.
 *
 * Leakage rule. The label of row i needs the close of row i + horizon, so it is known at the
 * end of day i + horizon. A model predicting from row p (using features known at p's close)
 * may train only on rows whose label was known strictly before p:
 *
 *     i + horizon <= p - 1        for every training row i and the fold's first prediction row p.
 *
 * Folds enforce it with an embargo of `embargo` rows (embargo >= horizon) between the last
 * training row and the first prediction row: trainEnd = predictStart - embargo, so the last
 * training row i = predictStart - embargo - 1 satisfies
 *
 *     i + horizon + (embargo - horizon) = predictStart - 1,
 *
 * i.e. i + horizon + embargo_extra <= predictStart - 1 with embargo_extra = embargo - horizon >= 0.
 */

export interface WalkForwardOptions {
  /** 'expanding': train on every row from the start; 'rolling': on the last `window_days` rows only. */
  window: 'expanding' | 'rolling';
  /** Rolling window length in rows (trading days); ignored when expanding. */
  window_days: number;
  /** Rows predicted by each fold before the model is refitted. */
  refit_every: number;
  /** Training rows the first fold needs; earlier rows get no prediction. */
  min_train: number;
  /** Label horizon in rows. */
  horizon: number;
  /** Rows between the last training row and the first prediction row; must be >= horizon. */
  embargo: number;
}

export interface Fold {
  trainStart: number;
  /** Exclusive. */
  trainEnd: number;
  predictStart: number;
  /** Exclusive. */
  predictEnd: number;
}

function checkOptions(o: WalkForwardOptions): void {
  const posInt = (k: keyof WalkForwardOptions, min: number) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`walk-forward ${k} must be an integer >= ${min}, got ${String(v)}`);
  };
  if (o.window !== 'expanding' && o.window !== 'rolling') throw new Error(`walk-forward window must be 'expanding' or 'rolling', got ${String(o.window)}`);
  posInt('refit_every', 1);
  posInt('min_train', 1);
  posInt('horizon', 1);
  posInt('embargo', 0);
  if (o.embargo < o.horizon) throw new Error(`walk-forward embargo (${o.embargo}) must be >= horizon (${o.horizon}) so training labels end before predictions start`);
  if (o.window === 'rolling') {
    posInt('window_days', 1);
    if (o.window_days < o.min_train) throw new Error(`walk-forward window_days (${o.window_days}) must be >= min_train (${o.min_train})`);
  }
}

/**
 * Folds over rows [0, nRows): the first predicts from row min_train + embargo, each predicts
 * refit_every rows (the last one fewer), and together they tile [first predictStart, nRows).
 */
export function planFolds(nRows: number, o: WalkForwardOptions): Fold[] {
  checkOptions(o);
  if (!Number.isInteger(nRows) || nRows < 0) throw new Error(`walk-forward nRows must be a non-negative integer, got ${nRows}`);
  const folds: Fold[] = [];
  for (let p = o.min_train + o.embargo; p < nRows; p += o.refit_every) {
    const trainEnd = p - o.embargo;
    const trainStart = o.window === 'rolling' ? Math.max(0, trainEnd - o.window_days) : 0;
    folds.push({ trainStart, trainEnd, predictStart: p, predictEnd: Math.min(nRows, p + o.refit_every) });
  }
  return folds;
}

/** A fold as inclusive calendar dates, shared by every ticker of a pooled (`scope: global`) dataset. */
export interface DateFold {
  trainFirst: string;
  trainLast: string;
  predictFirst: string;
  predictLast: string;
}

/**
 * Folds on a trading calendar (the sorted union of all tickers' dates; duplicates are removed),
 * so that all tickers share fold boundaries; row counts in `o` are calendar days.
 */
export function planFoldsByDate(dates: string[], o: WalkForwardOptions): DateFold[] {
  const calendar = [...new Set(dates)].sort();
  for (const d of calendar) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`walk-forward: date ${JSON.stringify(d)} is not YYYY-MM-DD`);
  return planFolds(calendar.length, o).map((fd) => ({
    trainFirst: calendar[fd.trainStart],
    trainLast: calendar[fd.trainEnd - 1],
    predictFirst: calendar[fd.predictStart],
    predictLast: calendar[fd.predictEnd - 1],
  }));
}

/**
 * Rows of a pooled dataset that train and that are predicted by a date fold. A row trains when
 * its date is in [trainFirst, trainLast] and its label end date (the date of the close its label
 * uses, which for a ticker with gaps can lie beyond `horizon` calendar days) is strictly before
 * predictFirst; rows whose label end is unknown ('' or null) never train.
 */
export function pooledFoldRows(
  rowDates: string[],
  labelEndDates: (string | null)[],
  fold: DateFold,
): { train: Int32Array; predict: Int32Array } {
  if (labelEndDates.length !== rowDates.length) {
    throw new Error(`pooledFoldRows: ${labelEndDates.length} label end dates for ${rowDates.length} rows`);
  }
  const train: number[] = [];
  const predict: number[] = [];
  for (let i = 0; i < rowDates.length; i++) {
    const d = rowDates[i];
    const le = labelEndDates[i];
    if (d >= fold.trainFirst && d <= fold.trainLast && le && le < fold.predictFirst) train.push(i);
    if (d >= fold.predictFirst && d <= fold.predictLast) predict.push(i);
  }
  return { train: Int32Array.from(train), predict: Int32Array.from(predict) };
}
