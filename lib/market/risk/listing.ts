/**
 * A ticker enters the portfolio only once it has enough history for its features: before that,
 * some feature windows are incomplete (NaN), the signals that read them count 0 in the meta-model,
 * and the alpha would rest on whichever short windows happen to be full (a listing's first weeks).
 * "Enough" is what the features layer itself defines: `maxLookback` rows before the row (see
 * features/options.ts), so row `maxLookback` (0-based) is the ticker's first row on which every
 * feature window is full. Known at the close of that row from the row count alone: no look-ahead.
 */

/** Weights with every row before the ticker's `firstRow` (0-based, own history) set to 0. */
export function zeroBeforeHistory(weight: Float64Array, offset: number, firstRow: number): Float64Array {
  if (!(Number.isInteger(offset) && offset >= 0)) throw new Error(`zeroBeforeHistory: offset must be an integer >= 0, got ${offset}`);
  if (!(Number.isInteger(firstRow) && firstRow >= 0)) throw new Error(`zeroBeforeHistory: firstRow must be an integer >= 0, got ${firstRow}`);
  const out = Float64Array.from(weight);
  // weight[k] is the ticker's row offset + k of its own history
  for (let k = 0; k < out.length && offset + k < firstRow; k++) out[k] = 0;
  return out;
}
