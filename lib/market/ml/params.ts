/** Hyper-parameters of the histogram GBDT, named and defaulted as in LightGBM. */
export interface GbdtParams {
  /** Number of classes; 0 means max(y) + 1 (at least 2). */
  num_class: number;
  num_rounds: number;
  learning_rate: number;
  num_leaves: number;
  /** <= 0: no depth limit (LightGBM's -1). */
  max_depth: number;
  min_data_in_leaf: number;
  min_sum_hessian_in_leaf: number;
  lambda_l2: number;
  min_gain_to_split: number;
  /** Fraction of features drawn (seeded) for each tree. */
  feature_fraction: number;
  /** Fraction of rows drawn (seeded) every `bagging_freq` rounds; bagging_freq 0 turns it off. */
  bagging_fraction: number;
  bagging_freq: number;
  max_bin: number;
  /** Stop after this many rounds without a better validation log loss; 0 turns it off. */
  early_stopping_rounds: number;
  seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  num_class: 0,
  num_rounds: 100,
  learning_rate: 0.1,
  num_leaves: 31,
  max_depth: -1,
  min_data_in_leaf: 20,
  min_sum_hessian_in_leaf: 1e-3,
  lambda_l2: 0,
  min_gain_to_split: 0,
  feature_fraction: 1,
  bagging_fraction: 1,
  bagging_freq: 0,
  max_bin: 255,
  early_stopping_rounds: 0,
  seed: 0,
};

/** Defaults filled in, keys in a fixed order (the model JSON must not depend on the caller's order). */
export function resolveParams(p: Partial<GbdtParams>): GbdtParams {
  const out = {} as GbdtParams;
  for (const key of Object.keys(DEFAULT_GBDT_PARAMS) as (keyof GbdtParams)[]) {
    const v = p[key] ?? DEFAULT_GBDT_PARAMS[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`GBDT parameter ${key} must be a finite number, got ${String(v)}`);
    out[key] = v;
  }
  const int = (k: keyof GbdtParams, min: number) => {
    if (!Number.isInteger(out[k]) || out[k] < min) throw new Error(`GBDT parameter ${k} must be an integer >= ${min}, got ${out[k]}`);
  };
  int('num_rounds', 1);
  int('num_leaves', 2);
  int('min_data_in_leaf', 0);
  int('bagging_freq', 0);
  int('early_stopping_rounds', 0);
  int('max_depth', -1e9);
  const frac = (k: keyof GbdtParams) => {
    if (!(out[k] > 0 && out[k] <= 1)) throw new Error(`GBDT parameter ${k} must be in (0, 1], got ${out[k]}`);
  };
  frac('feature_fraction');
  frac('bagging_fraction');
  if (!(out.learning_rate > 0)) throw new Error(`GBDT parameter learning_rate must be > 0, got ${out.learning_rate}`);
  if (out.lambda_l2 < 0) throw new Error(`GBDT parameter lambda_l2 must be >= 0, got ${out.lambda_l2}`);
  return out;
}
