/** Name of the most probable state on each row ('' where the probabilities are NaN); ties go to the first state. */
export function mostLikelyStates(probs: readonly Float64Array[], names: readonly string[]): string[] {
  const n = probs[0]?.length ?? 0;
  const out = new Array<string>(n).fill('');
  for (let t = 0; t < n; t++) {
    let best = -Infinity;
    for (let s = 0; s < probs.length; s++) {
      if (probs[s][t] > best) {
        best = probs[s][t];
        out[t] = names[s];
      }
    }
  }
  return out;
}
