/**
 * How usable a row-major feature matrix is: the rows with every feature finite, and per feature
 * the rows where it is finite. A training set without a single complete row means the features
 * layer produced nothing a model can learn from (every row lacks some window), even though the
 * trees would happily grow on NaNs.
 */
export function featureCoverage(X: Float64Array, n: number, f: number): { complete: number; perFeature: Int32Array } {
  const perFeature = new Int32Array(f);
  let complete = 0;
  for (let i = 0; i < n; i++) {
    let all = true;
    for (let j = 0; j < f; j++) {
      if (Number.isFinite(X[i * f + j])) perFeature[j]++;
      else all = false;
    }
    if (all) complete++;
  }
  return { complete, perFeature };
}
