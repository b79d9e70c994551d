import { periodSharpe } from './moments.js';

export interface PboResult {
  /** Probability of Backtest Overfitting: share of splits whose in-sample best ranks in the bottom half out of sample. */
  pbo: number;
  /** Number of blocks S the rows were cut into. */
  splits: number;
  /** Train/test combinations evaluated, C(S, S/2). */
  combinations: number;
  /** Rows used (the first T mod S rows are dropped so that blocks have equal length). */
  rows: number;
  /** Logit λ = ln(ω / (1 - ω)) of each combination, ω the best's relative out-of-sample rank. */
  logits: Float64Array;
}

/**
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey,
 * Borwein, López de Prado and Zhu, 2015). `returns` holds one series per variant, all of the
 * same length T; performance is the per-period Sharpe ratio.
 *
 * The T rows are cut into S contiguous blocks of equal length. For every choice of S/2 blocks
 * as the training set J (the other half is the test set), the variant n* with the best Sharpe
 * on J is found, its rank r among the N variants' Sharpe ratios on the test set (1 = worst;
 * tied values share their average rank) gives ω = r / (N + 1), and λ = ln(ω / (1 - ω)).
 * PBO is the share of combinations with λ <= 0.
 *
 * Block sums and sums of squares are computed once, so a combination costs O(S N), not O(T N).
 */
export function pboCscv(returns: ArrayLike<number>[], splits = 16): PboResult {
  const n = returns.length;
  if (n < 2) throw new RangeError(`pbo: needs at least 2 variants, got ${n}`);
  if (!Number.isInteger(splits) || splits < 2 || splits % 2 !== 0) throw new RangeError(`pbo: the number of splits must be an even integer >= 2, got ${splits}`);
  if (splits > 24) throw new RangeError(`pbo: ${splits} splits means C(${splits}, ${splits / 2}) combinations; use at most 24`);
  const total = returns[0].length;
  for (const [i, r] of returns.entries()) {
    if (r.length !== total) throw new RangeError(`pbo: variant ${i} has ${r.length} returns, variant 0 has ${total}`);
  }
  const block = Math.floor(total / splits);
  if (block < 2) throw new RangeError(`pbo: ${total} returns cannot be cut into ${splits} blocks of at least 2`);
  const skip = total - block * splits;
  // sums[v][b], squares[v][b]
  const sums = returns.map((r) => blockSums(r, skip, block, splits, false));
  const squares = returns.map((r) => blockSums(r, skip, block, splits, true));
  const logits: number[] = [];
  const half = splits / 2;
  const train = new Float64Array(n);
  const test = new Float64Array(n);
  for (let mask = 0; mask < 1 << splits; mask++) {
    if (popcount(mask) !== half) continue;
    for (let v = 0; v < n; v++) {
      let s1 = 0, q1 = 0, s2 = 0, q2 = 0;
      for (let b = 0; b < splits; b++) {
        if (mask & (1 << b)) { s1 += sums[v][b]; q1 += squares[v][b]; } else { s2 += sums[v][b]; q2 += squares[v][b]; }
      }
      train[v] = sharpeOf(s1, q1, half * block);
      test[v] = sharpeOf(s2, q2, half * block);
    }
    logits.push(logit(relativeRank(test, argmax(train))));
  }
  const overfit = logits.filter((l) => l <= 0).length;
  return { pbo: overfit / logits.length, splits, combinations: logits.length, rows: block * splits, logits: Float64Array.from(logits) };
}

function blockSums(r: ArrayLike<number>, skip: number, block: number, splits: number, square: boolean): Float64Array {
  const out = new Float64Array(splits);
  for (let b = 0; b < splits; b++) {
    let s = 0;
    for (let i = skip + b * block, end = i + block; i < end; i++) s += square ? r[i] * r[i] : r[i];
    out[b] = s;
  }
  return out;
}

function sharpeOf(sum: number, sumSq: number, count: number): number {
  const mean = sum / count;
  const variance = Math.max(0, (sumSq - count * mean * mean) / (count - 1));
  return periodSharpe(mean, Math.sqrt(variance));
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** First index of the largest value (ties go to the earlier variant: a stable choice). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** ω = rank / (N + 1) of x[i] among x, ranks 1..N ascending, ties at their average rank. */
export function relativeRank(x: ArrayLike<number>, i: number): number {
  let below = 0;
  let equal = 0;
  for (let j = 0; j < x.length; j++) {
    if (x[j] < x[i]) below++;
    else if (x[j] === x[i]) equal++;
  }
  return (below + (equal + 1) / 2) / (x.length + 1);
}

const logit = (w: number): number => Math.log(w / (1 - w));
