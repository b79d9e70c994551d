/**
 * Feature discretisation for histogram gradient boosting (LightGBM's method): each feature gets
 * at most `maxBin` value bins whose upper edges are real numbers, plus one extra "missing" bin
 * for NaN. Bin b of feature j holds the values v with upper[b-1] < v <= upper[b], so a split
 * "bin <= b" on training data is exactly "v <= upper[b]" on raw values, which is what the
 * exported trees test.
 */
import { allocate, kernelsOf } from './kernels.js';

/**
 * Largest finite double: the last bin's upper edge. Infinity would not survive JSON. Features
 * are expected finite or NaN: +Infinity trains in the top bin but at prediction compares above
 * this edge, so a split between "all values" and "missing" sends it the missing way.
 */
export const LAST_EDGE = Number.MAX_VALUE;

/**
 * Histogram slots per feature: up to 255 value bins plus the missing bin, so a local bin fits a
 * byte and feature j's bin b sits at slot (j << 8) | b, with no offset table in the hot loops.
 */
export const BIN_SLOTS = 256;

/** Rows used to choose edges (LightGBM's bin_construct_sample_cnt). */
const SAMPLE_ROWS = 200_000;

export interface BinEdges {
  /** upper[j]: ascending upper edges of feature j's value bins; the last one is LAST_EDGE. */
  upper: Float64Array[];
  /** Number of value bins of each feature; the missing bin of feature j is numBins[j]. */
  numBins: Int32Array;
  /** offset[j]: index of feature j's bin 0 in a histogram spanning all features: j * BIN_SLOTS. */
  offset: Int32Array;
  /** Histogram slots of all features: f * BIN_SLOTS. */
  totalBins: number;
}

/** Quantile bin edges per feature from row-major training data `X` (n x f); NaN ignored. */
export function computeBinEdges(X: Float64Array, n: number, f: number, maxBin = 255): BinEdges {
  if (!Number.isInteger(maxBin) || maxBin < 2 || maxBin > 255) {
    throw new Error(`max_bin must be an integer in [2, 255], got ${maxBin}`);
  }
  if (X.length !== n * f) throw new Error(`X has ${X.length} values, expected n*f = ${n}*${f}`);
  const step = n > SAMPLE_ROWS ? n / SAMPLE_ROWS : 1;
  const sampleRows = Math.min(n, SAMPLE_ROWS);
  const upper: Float64Array[] = [];
  const numBins = new Int32Array(f);
  const offset = new Int32Array(f);
  // Sorted by the wasm radix sort (wasm/binning.ts sortF64: the same order as Float64Array's sort).
  const a = allocate((a) => ({ values: a.f64(sampleRows), tmp: a.f64(sampleRows), counts: a.i32(8 * 256) }));
  const { values } = a;
  const k = kernelsOf(values, a.tmp, a.counts);
  for (let j = 0; j < f; j++) {
    let m = 0;
    for (let s = 0; s < sampleRows; s++) {
      const v = X[Math.floor(s * step) * f + j];
      if (v === v) values[m++] = v;
    }
    k.sortF64(values.byteOffset, m, a.tmp.byteOffset, a.counts.byteOffset);
    const edges = edgesOf(values.subarray(0, m), maxBin);
    upper.push(edges);
    numBins[j] = edges.length;
    offset[j] = j * BIN_SLOTS;
  }
  return { upper, numBins, offset, totalBins: f * BIN_SLOTS };
}

/** Edges from sorted finite values: midpoints between distinct values, by quantile when too many. */
function edgesOf(sorted: Float64Array, maxBin: number): Float64Array {
  const m = sorted.length;
  const distinct = new Float64Array(m);
  const counts = new Int32Array(m);
  let nd = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      distinct[nd] = sorted[i];
      counts[nd++] = 1;
    } else counts[nd - 1]++;
  }
  const cuts: number[] = [];
  if (nd <= maxBin) {
    for (let k = 0; k + 1 < nd; k++) cuts.push(midpoint(distinct[k], distinct[k + 1]));
  } else {
    // Greedy equal-frequency cut between distinct values: a heavy value never straddles a cut.
    const target = m / maxBin;
    let acc = 0;
    let nextCut = target;
    for (let k = 0; k + 1 < nd && cuts.length < maxBin - 1; k++) {
      acc += counts[k];
      if (acc >= nextCut) {
        cuts.push(midpoint(distinct[k], distinct[k + 1]));
        nextCut = acc + (m - acc) / (maxBin - cuts.length);
      }
    }
  }
  cuts.push(LAST_EDGE);
  return Float64Array.from(cuts);
}

/** A value strictly between a < b when one exists, else a (so a stays left and b right). */
function midpoint(a: number, b: number): number {
  const mid = a / 2 + b / 2;
  return mid >= b || mid < a ? a : mid;
}

/** Value bin of v for ascending upper edges: first b with v <= upper[b]; NaN gives upper.length. */
export function binOf(upper: Float64Array, v: number): number {
  if (v !== v) return upper.length;
  let lo = 0;
  let hi = upper.length - 1; // v > every finite edge lands in the last bin (v = +Infinity)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= upper[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rows binned per kernel call (their float64 values are copied into wasm memory first). */
const CHUNK_ROWS = 8192;

/**
 * Row-major local bins (missing = numBins[j]) as bytes: a row's bins share one cache line, which
 * suits histogram building, whose loop reads every feature of a row (docs/benchmarks.md measures
 * the layouts). Row partitioning reads one feature of many rows: it uses binColumns. Each value
 * gets binOf's bin, computed by a branch-free wasm search (wasm/binning.ts) over chunks of rows
 * copied into a small arena of its own; training passes `out` in its kernel arena (kernels.ts).
 */
export function binMatrix(X: Float64Array, n: number, f: number, edges: BinEdges, out: Uint8Array = new Uint8Array(n * f)): Uint8Array {
  if (X.length !== n * f) throw new Error(`X has ${X.length} values, expected n*f = ${n}*${f}`);
  if (out.length !== n * f) throw new Error(`bin matrix output has ${out.length} bytes, expected n*f = ${n}*${f}`);
  const rows = Math.max(1, Math.min(n, CHUNK_ROWS));
  const a = allocate((a) => ({ x: a.f64(rows * f), bins: a.u8(rows * f), upper: a.f64(f * BIN_SLOTS), numBins: a.i32(f) }));
  a.upper.fill(Infinity);
  for (let j = 0; j < f; j++) a.upper.set(edges.upper[j], j * BIN_SLOTS);
  a.numBins.set(edges.numBins);
  const k = kernelsOf(a.x, a.bins, a.upper, a.numBins);
  for (let i0 = 0; i0 < n; i0 += rows) {
    const m = Math.min(rows, n - i0);
    a.x.set(X.subarray(i0 * f, (i0 + m) * f));
    k.binRows(a.x.byteOffset, m, f, a.upper.byteOffset, a.numBins.byteOffset, a.bins.byteOffset);
    out.set(a.bins.subarray(0, m * f), i0 * f);
  }
  return out;
}

/**
 * The column-major copy of a row-major bin matrix (feature j's bins at [j * n, (j + 1) * n)).
 * `out` is where training wants it (a kernel arena, kernels.ts).
 */
export function binColumns(rowBins: Uint8Array, n: number, f: number, out: Uint8Array = new Uint8Array(n * f)): Uint8Array {
  if (rowBins.length !== n * f) throw new Error(`bin matrix has ${rowBins.length} values, expected n*f = ${n}*${f}`);
  if (out.length !== n * f) throw new Error(`column bin output has ${out.length} bytes, expected n*f = ${n}*${f}`);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out[j * n + i] = rowBins[i * f + j];
  return out;
}
