/**
 * Regime-weighted combination of alpha components into one alpha_score in [-1, 1].
 *
 * The weight of component c at row t is the probability mix of the regime rows,
 *   w_c(t) = sum_r p_r(t) * W[r][c],
 * so a date that is 25% "bull" and 75% "bear" gets a blend instead of jumping to the bear row.
 * contrib_c(t) = w_c(t) * component_c(t) and alpha_score(t) = clamp(sum_c contrib_c(t), -1, 1).
 *
 * Conventions (see docs/metrics.md):
 * - A NaN component value (e.g. the ML score before the first model exists) contributes 0.
 * - A NaN regime probability (regime warm-up) makes alpha_score and every contribution NaN.
 * - When the raw sum s exceeds 1 in magnitude, every contribution is multiplied by 1/|s|, so the
 *   contributions keep their proportions and still sum to alpha_score = sign(s) (exactly in real
 *   arithmetic, to within one rounding in floating point).
 * Components and regimes are visited in sorted name order so the float sums do not depend on the
 * caller's key order.
 */
export interface CombineAlphaInput {
  /** Component name -> values aligned on the date axis. */
  components: Record<string, Float64Array>;
  /** Regime name -> probability of that regime at each date (rows are expected to sum to 1). */
  regimeProbs: Record<string, Float64Array>;
  /** Regime name -> component name -> weight (the table in config/regimes.yaml). */
  weights: Record<string, Record<string, number>>;
}

export interface CombinedAlpha {
  alpha_score: Float64Array;
  /** Component name -> its signed share of alpha_score (sums to alpha_score at every row). */
  contrib: Record<string, Float64Array>;
}

const sortedKeys = (o: object): string[] => Object.keys(o).sort();

/** Tolerance on how far a row of regime probabilities may be from summing to 1. */
const PROB_SUM_TOLERANCE = 1e-6;

export function combineAlpha({ components, regimeProbs, weights }: CombineAlphaInput): CombinedAlpha {
  const regimes = sortedKeys(regimeProbs);
  if (regimes.length === 0) throw new Error('combineAlpha: regimeProbs has no regimes');
  const names = sortedKeys(components);
  if (names.length === 0) throw new Error('combineAlpha: no alpha components given');

  const n = regimeProbs[regimes[0]].length;
  for (const r of regimes) {
    if (regimeProbs[r].length !== n) {
      throw new Error(`combineAlpha: regime probability column ${r} has ${regimeProbs[r].length} rows, expected ${n}`);
    }
  }
  for (const c of names) {
    if (components[c].length !== n) {
      throw new Error(`combineAlpha: component ${c} has ${components[c].length} rows, expected ${n}`);
    }
  }

  // W[k][j]: weight of component names[j] in regime regimes[k]; every pair must be configured.
  const W = regimes.map((r) => {
    const row = weights[r];
    if (row === undefined) throw new Error(`combineAlpha: regime ${r} has no row in the weights table`);
    for (const key of Object.keys(row)) {
      if (!(key in components)) throw new Error(`combineAlpha: regime ${r} weighs component ${key}, which was not given`);
    }
    return names.map((c) => {
      const w = row[c];
      if (w === undefined) throw new Error(`combineAlpha: regime ${r} has no weight for component ${c}`);
      if (!Number.isFinite(w)) throw new Error(`combineAlpha: weight of ${c} in regime ${r} is not finite`);
      return w;
    });
  });

  const alpha = new Float64Array(n);
  const contrib: Record<string, Float64Array> = {};
  const cols = names.map((c) => (contrib[c] = new Float64Array(n)));
  const raw = new Float64Array(names.length);

  for (let t = 0; t < n; t++) {
    let probSum = 0;
    let warmUp = false;
    for (const r of regimes) {
      const p = regimeProbs[r][t];
      if (Number.isNaN(p)) warmUp = true;
      probSum += p;
    }
    if (warmUp) {
      alpha[t] = NaN;
      for (const col of cols) col[t] = NaN;
      continue;
    }
    if (Math.abs(probSum - 1) > PROB_SUM_TOLERANCE) {
      throw new Error(`combineAlpha: regime probabilities at row ${t} sum to ${probSum}, expected 1`);
    }
    let sum = 0;
    for (let j = 0; j < names.length; j++) {
      const x = components[names[j]][t];
      if (Number.isNaN(x)) {
        raw[j] = 0;
        continue;
      }
      if (!Number.isFinite(x)) throw new Error(`combineAlpha: component ${names[j]} is infinite at row ${t}`);
      let w = 0;
      for (let k = 0; k < regimes.length; k++) w += regimeProbs[regimes[k]][t] * W[k][j];
      raw[j] = w * x;
      sum += raw[j];
    }
    const scale = Math.abs(sum) > 1 ? 1 / Math.abs(sum) : 1;
    for (let j = 0; j < names.length; j++) cols[j][t] = raw[j] * scale;
    alpha[t] = scale === 1 ? sum : Math.sign(sum);
  }
  return { alpha_score: alpha, contrib };
}
