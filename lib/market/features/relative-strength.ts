/** Relative strength against a benchmark, aligned by date. */
import type { Bars, DateColumn } from '../types.js';

/** For each date, its row in `benchDates` or -1 (both ascending; one merge pass). */
export function alignDates(dates: DateColumn, benchDates: DateColumn): Int32Array {
  const out = new Int32Array(dates.length).fill(-1);
  let j = 0;
  for (let t = 0; t < dates.length; t++) {
    while (j < benchDates.length && benchDates[j] < dates[t]) j++;
    if (j < benchDates.length && benchDates[j] === dates[t]) out[t] = j;
  }
  return out;
}

/**
 * `rs_{n}`: ret_n of the ticker minus the benchmark's return over the SAME two dates
 * (date[t-n] -> date[t]), so both returns cover one interval even if the calendars differ.
 * NaN when the benchmark lacks either date. For the benchmark itself the two returns are the same
 * floating-point expression, so rs is exactly 0 wherever ret_n is defined.
 */
export function relativeStrength(
  ret: Float64Array,
  n: number,
  benchRow: Int32Array,
  bench: Bars,
): Float64Array {
  const out = new Float64Array(ret.length).fill(NaN);
  const bc = bench.close;
  for (let t = n; t < ret.length; t++) {
    const b1 = benchRow[t];
    const b0 = benchRow[t - n];
    if (b1 < 0 || b0 < 0) continue;
    out[t] = ret[t] - (bc[b1] / bc[b0] - 1);
  }
  return out;
}
