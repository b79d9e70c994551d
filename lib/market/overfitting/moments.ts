/** Per-period moments of a return series, as the overfitting diagnostics use them. */
export interface Moments {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1). */
  std: number;
  /** Skewness m3 / m2^1.5 (population moments). */
  skew: number;
  /** Kurtosis m4 / m2^2 (not excess: 3 for a normal distribution). */
  kurt: number;
}

export function moments(x: ArrayLike<number>): Moments {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { n, mean, std, skew: m2 > 0 ? m3 / m2 ** 1.5 : NaN, kurt: m2 > 0 ? m4 / (m2 * m2) : NaN };
}

/**
 * Per-period Sharpe ratio mean / std (no risk-free rate, not annualised). A series with zero
 * spread has no risk-adjusted edge to rank: its Sharpe is 0.
 */
export function periodSharpe(mean: number, std: number): number {
  return std > 0 ? mean / std : 0;
}
