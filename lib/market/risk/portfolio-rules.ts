/**
 * Portfolio-level rules applied date by date across tickers after per-ticker sizing.
 * - long_only: negative weights become 0.
 * - max_gross: when sum_i |w_i(t)| > max_gross, every weight of that date is multiplied by
 *   max_gross / gross, so relative sizes are kept.
 * NaN weights are treated as 0 (no position) and come back as 0.
 */
export interface PortfolioRules {
  max_gross: number;
  long_only: boolean;
}

/** New weight columns (one per ticker, aligned on one date axis) satisfying the rules. */
export function applyPortfolioRules(weightsByTicker: Float64Array[], { max_gross, long_only }: PortfolioRules): Float64Array[] {
  if (!(Number.isFinite(max_gross) && max_gross >= 0)) {
    throw new Error(`applyPortfolioRules: max_gross must be a finite number >= 0, got ${max_gross}`);
  }
  if (weightsByTicker.length === 0) return [];
  const n = weightsByTicker[0].length;
  weightsByTicker.forEach((w, i) => {
    if (w.length !== n) throw new Error(`applyPortfolioRules: weight column ${i} has ${w.length} rows, expected ${n}`);
  });
  const out = weightsByTicker.map((w) => {
    const o = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const x = w[t];
      o[t] = Number.isNaN(x) || (long_only && x < 0) ? 0 : x;
    }
    return o;
  });
  for (let t = 0; t < n; t++) {
    let gross = 0;
    for (const o of out) gross += Math.abs(o[t]);
    if (gross > max_gross) {
      const k = max_gross / gross;
      for (const o of out) o[t] *= k;
    }
  }
  return out;
}
