import { filterProbs } from './filter.js';
import { fitHmm } from './fit.js';
import { stateNames } from './order.js';
import { mostLikelyStates } from './labels.js';
import { checkObs, validRowIndices } from './rows.js';
import type { HmmFitOptions, HmmModel } from './types.js';

/** Every fit's options (all of HmmFitOptions but the extra EM starts, which walk-forward supplies). */
export interface WalkForwardOptions extends Omit<HmmFitOptions, 'starts'> {
  /** Rows (trading days) between refits. */
  refit_every: number;
  /** Valid rows needed before the first fit. */
  min_train: number;
  /** 'expanding': all valid rows before the refit; 'rolling': the last window_days valid rows. */
  window: 'expanding' | 'rolling';
  window_days: number;
  /**
   * Also start EM from the previous refit's model (default true). It uses only past data, and
   * it keeps a refit from drifting into a different local optimum (e.g. splitting the calm state
   * in two) when the previous solution is still as likely; that is most of label stability.
   */
  warm_start?: boolean;
}

export interface WalkForwardFit {
  /** First date the model is used for. */
  fit_date: string;
  /** Dates of the first and last training row; train_end < fit_date. */
  train_start: string;
  train_end: string;
  logLik: number;
  iterations: number;
  model: HmmModel;
}

export interface WalkForwardResult {
  /** State names, the order of `probs`. */
  names: string[];
  /** probs[s][t]: filtered probability of state s on row t; NaN before the first fit. */
  probs: Float64Array[];
  /** Name of the most probable state per row ('' where probs are NaN). */
  labels: string[];
  fits: WalkForwardFit[];
  /** Filter state after the last row (null before the first fit): with the last fit's model it
   * lets a daily update continue via filterProbs(model, newRows, state). */
  state: number[] | null;
}

/**
 * Walk-forward regime probabilities without look-ahead. Refits happen at row r0, r0 +
 * refit_every, ... where r0 is the first row with min_train valid rows before it; the model fitted
 * at refit row r sees only rows < r and is used for rows [r, next refit). Between refits the
 * forward filter simply continues. On a refit the new model's filter is started by running it over
 * its own training rows (from its init), which uses only past data, and then continues at row r;
 * the states keep their names across refits because every fit is in the stable state order.
 * Every fit uses the same seed, so the result depends only on the data before each refit.
 */
export function walkForwardRegimes(
  dates: readonly string[],
  obs: readonly Float64Array[],
  options: WalkForwardOptions,
): WalkForwardResult {
  const T = checkObs(obs, 'walkForwardRegimes');
  if (dates.length !== T) {
    throw new Error(`walkForwardRegimes: ${dates.length} dates but obs has ${T} rows`);
  }
  const { k, refit_every, min_train, window, window_days } = options;
  if (!Number.isInteger(refit_every) || refit_every < 1) {
    throw new Error(`walkForwardRegimes: refit_every must be a positive integer, got ${refit_every}`);
  }
  if (!Number.isInteger(min_train) || min_train < 1) {
    throw new Error(`walkForwardRegimes: min_train must be a positive integer, got ${min_train}`);
  }
  if (window !== 'expanding' && window !== 'rolling') {
    throw new Error(`walkForwardRegimes: window must be 'expanding' or 'rolling', got '${String(window)}'`);
  }
  if (window === 'rolling' && !(Number.isInteger(window_days) && window_days >= min_train)) {
    throw new Error(`walkForwardRegimes: window_days (${window_days}) must be an integer >= min_train (${min_train})`);
  }
  const names = stateNames(k);
  const probs = Array.from({ length: k }, () => new Float64Array(T).fill(NaN));
  const fits: WalkForwardFit[] = [];
  const valid = validRowIndices(obs);
  if (valid.length < min_train) return { names, probs, labels: new Array<string>(T).fill(''), fits, state: null };
  // valid[min_train - 1] is the last training row of the first fit, so the first fit is used from the next row.
  let state: number[] | null = null;
  const firstRefit = valid[min_train - 1] + 1;
  for (let r = firstRefit; r < T; r += refit_every) {
    const end = Math.min(T, r + refit_every);
    let trainRows = validRowIndices(obs, 0, r);
    if (window === 'rolling') trainRows = trainRows.slice(-window_days);
    const from = trainRows[0];
    const train = obs.map((col) => col.subarray(from, r));
    const previous = fits.length > 0 && options.warm_start !== false ? [fits[fits.length - 1].model] : [];
    const model = fitHmm(train, { ...options, starts: previous });
    fits.push({
      fit_date: dates[r],
      train_start: dates[from],
      train_end: dates[trainRows[trainRows.length - 1]],
      logLik: model.logLik,
      iterations: model.iterations,
      model,
    });
    const start = filterProbs(model, train).state;
    const seg = filterProbs(
      model,
      obs.map((col) => col.subarray(r, end)),
      start,
    );
    state = seg.state;
    for (let s = 0; s < k; s++) probs[s].set(seg.probs[s], r);
  }
  return { names, probs, labels: mostLikelyStates(probs, names), fits, state };
}
