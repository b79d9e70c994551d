/**
 * Plain-data shapes of the regime engine. Observations are column-major: `obs[f][t]` is feature f
 * on row t (one Float64Array per feature, all of length T); a row with a NaN in any feature is
 * "missing" (warm-up) and is skipped by fitting and filtering.
 */

/** A fitted Gaussian HMM with diagonal covariance; plain JSON (number arrays only). */
export interface HmmModel {
  k: number;
  /** Number of observation features d. */
  dims: number;
  /** means[s][f]: mean of feature f in state s. */
  means: number[][];
  /** vars[s][f]: variance of feature f in state s (floored, never 0). */
  vars: number[][];
  /** trans[i][j] = p(state_t = j | state_{t-1} = i); rows sum to 1. */
  trans: number[][];
  /** Distribution of the state on the first row. */
  init: number[];
  /** Log-likelihood of the training rows under this model. */
  logLik: number;
  /** EM iterations run (E-steps) by the winning restart. */
  iterations: number;
  /** State names in state order (see stateNames). */
  labels: string[];
  /** Per-feature weights of the emission log-density the model was fitted with (absent: all 1). */
  weights?: number[];
}

export interface HmmFitOptions {
  k: number;
  seed: number;
  /** Independent EM starts; the best log-likelihood wins (first one on ties). */
  restarts: number;
  /** Stop when |logLik change| <= tol * |previous logLik|. */
  tol: number;
  maxIter: number;
  /** Variance floor as a fraction of each feature's overall variance (default 1e-3). */
  varFloor?: number;
  /** State order and naming, see orderStates (default 'return'). */
  order?: 'return' | 'volatility';
  /**
   * Per-feature weights of the emission log-density (default: all 1, the plain Gaussian HMM).
   * A feature that is a trailing window statistic repeats information from the rows before it
   * (20-day realised volatility moves by one return in twenty), so counting it in full every day
   * over-weights it: EM then models its slow drifts inside a regime, e.g. splits a calm regime
   * into a calmer and a less calm half. Weight 1/window counts each day's information about once
   * (a composite likelihood). EM maximises the weighted log-likelihood; the M-step is unchanged.
   */
  weights?: readonly number[];
  /**
   * Extra EM starts tried after the seeded restarts, e.g. the previous walk-forward model
   * (any object with means, vars, trans, init of matching shape; vars are raised to the floor).
   */
  starts?: readonly Pick<HmmModel, 'means' | 'vars' | 'trans' | 'init'>[];
}

/** Filtered state probabilities: probs[s][t] = p(state_t = s | obs rows up to t). */
export interface FilterResult {
  probs: Float64Array[];
  /** Normalised alpha of the last non-missing row (null when no row was processed). */
  state: number[] | null;
  /** Sum over processed rows of log p(obs_t | obs before t). */
  logLik: number;
}
