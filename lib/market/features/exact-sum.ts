/**
 * Exact sums of doubles as Shewchuk expansions (the algorithm behind Python's math.fsum).
 *
 * Why by hand: rolling windows must be O(n) per series AND each value must be a pure function of
 * its window's contents, because the incremental daily mode recomputes only a suffix and must
 * reproduce the stored values bit for bit. A plain running sum (or a Kahan-compensated one, like
 * simple-statistics' `sum`) carries rounding history from the row it started at, so two runs
 * started at different rows disagree in the last bits. An expansion carries no history: adding and
 * removing values is exact, so its value is always the exact sum of the current window, and
 * rounding it once, correctly, gives the same double wherever the run started. No installed
 * package offers an exact sum that also supports removal.
 */

/** A sum held exactly as non-overlapping doubles ordered by increasing magnitude. */
export interface ExactSum {
  parts: Float64Array;
  length: number;
}

export function createExactSum(): ExactSum {
  // Non-overlapping finite doubles span at most ~2100 bits, i.e. ~40 parts; 64 never fills.
  return { parts: new Float64Array(64), length: 0 };
}

/** Add x exactly (x finite). */
export function exactAdd(s: ExactSum, x: number): void {
  const p = s.parts;
  const len = s.length;
  let i = 0;
  for (let j = 0; j < len; j++) {
    // Knuth's branch-free TwoSum: hi + lo === x + y exactly, whatever the magnitudes.
    const y = p[j];
    const hi = x + y;
    const bv = hi - x;
    const lo = x - (hi - bv) + (y - bv);
    if (lo !== 0) p[i++] = lo;
    x = hi;
  }
  if (x !== 0) {
    if (i === p.length) throw new Error('exact sum: expansion overflow (non-finite input?)');
    p[i++] = x;
  }
  s.length = i;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp split for Dekker's exact product (no Math.fma).

/** Add a*b exactly (finite, |a|,|b| well below 1e300 so the split cannot overflow). */
export function exactAddProduct(s: ExactSum, a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ahi = c - (c - a);
  const alo = a - ahi;
  c = SPLITTER * b;
  const bhi = c - (c - b);
  const blo = b - bhi;
  const err = ahi * bhi - p + ahi * blo + alo * bhi + alo * blo;
  exactAdd(s, p);
  if (err !== 0) exactAdd(s, err);
}

/** The exact sum rounded once to the nearest double (ties to even), as math.fsum does. */
export function exactRound(s: ExactSum): number {
  const p = s.parts;
  let n = s.length;
  if (n === 0) return 0;
  let hi = p[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // hi + lo is exact; if lo is exactly half an ulp of hi, the parts below decide the direction.
  if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
