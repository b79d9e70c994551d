/**
 * Seeded synthetic 3-class data for the ML benchmarks and tests: 30 features, a non-linear rule on a few of them,
 * 10% label noise and 5% missing values, so trees have real structure to find.
 */
import { createRng } from '../../core/rng.js';

export function syntheticClasses(n: number, f: number, seed: number): { X: Float64Array; y: Int32Array } {
  const rng = createRng(seed);
  const X = new Float64Array(n * f);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) X[i * f + j] = rng.normal();
    const x0 = X[i * f];
    const x1 = X[i * f + 1];
    const x2 = X[i * f + 2];
    let c = x2 > 0.5 ? 2 : x0 * x1 > 0 ? 1 : 0;
    if (rng.next() < 0.1) c = (c + 1 + rng.int(2)) % 3;
    y[i] = c;
    for (let j = 0; j < f; j++) if (rng.next() < 0.05) X[i * f + j] = NaN;
  }
  return { X, y };
}
