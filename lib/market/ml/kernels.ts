/**
 * The WebAssembly kernels of GBDT training (wasm/*.ts, AssemblyScript compiled to
 * wasm/kernels.wasm by the build) and the memory they work in. Why WebAssembly: after every
 * algorithmic lever (docs/benchmarks.md, issue 13), what kept the trainer at 1.35-1.55x
 * scikit-learn's compiled one was V8's scalar code in the histogram loops, and no JavaScript
 * library builds GBDT histograms; the kernels add SIMD for [g, h] pairs and no bounds checks.
 *
 * One arena per fit: every array a kernel reads or writes (bins, gradients, scores, row ids,
 * histograms) is a typed-array view into one WebAssembly.Memory sized once for the fit, so no
 * kernel call copies data and no memory grows mid-fit (growing would detach the views). Kernels
 * take byte offsets; the wrappers (histogram.ts, partition.ts, split.ts, gradients.ts,
 * trainScores.ts, binning.ts) pass each view's byteOffset after checking it lives in the arena.
 * A missing or invalid kernels.wasm is an error at import: there is no JavaScript fallback.
 */
import { readFileSync } from 'node:fs';

export interface Kernels {
  buildHistogram(hist: number, slots: number, bins: number, f: number, gh: number, rows: number, start: number, end: number, feats: number, nFeats: number): void;
  buildRoot3(
    h0: number, h1: number, h2: number, slots: number, cbins: number, n: number, f: number, g0: number, g1: number, g2: number,
    rows: number, nRows: number, block: number, scratch: number,
  ): void;
  buildRoot2(h0: number, h1: number, slots: number, bins: number, f: number, g0: number, g1: number, rows: number, nRows: number): void;
  subtractHistogram(parent: number, child: number, values: number): void;
  sumGradients(gh: number, rows: number, nRows: number, out: number): void;
  partitionRows(rows: number, tmp: number, col: number, s: number, e: number, goesLeft: number): number;
  softmaxGradients(scores: number, gh: number, C: number, y: number, bag: number, bagCount: number, hessFactor: number, prob: number): void;
  addLeafScores(scores: number, rows: number, start: number, end: number, w: number): void;
  findBestSplit(
    out: number, hist: number, numBins: number, feats: number, nFeats: number, G: number, H: number, count: number,
    l2: number, minData: number, minHess: number, minGain: number,
  ): void;
  binRows(X: number, nRows: number, f: number, upper: number, numBins: number, out: number): void;
  sortF64(keys: number, n: number, tmp: number, counts: number): void;
  /** V8's Math.exp, for the test that checks it is. */
  exp(x: number): number;
}

const PAGE = 65536;
/** Views start 16-byte aligned (v128 loads of histogram slots, and every element type). */
const ALIGN = 16;

const wasmModule = new WebAssembly.Module(readFileSync(new URL('./wasm/kernels.wasm', import.meta.url)));

/** The arena that owns each wasm memory buffer, to find a view's kernels. */
const arenas = new WeakMap<ArrayBufferLike, Kernels>();

/** Allocates typed arrays; an arena's and the size-counting pass's share this shape. */
export interface Alloc {
  u8(len: number): Uint8Array;
  i32(len: number): Int32Array;
  f32(len: number): Float32Array;
  f64(len: number): Float64Array;
}

const padded = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * Runs `layout` twice: once to add up the sizes it asks for, then against a fresh wasm memory of
 * exactly that many pages, returning what the second run returns (views into that memory).
 */
export function allocate<T>(layout: (a: Alloc) => T): T {
  let bytes = 0;
  // The counting pass hands out empty arrays: a layout only allocates, it does not fill.
  layout({
    u8: (len) => ((bytes += padded(len)), new Uint8Array(0)),
    i32: (len) => ((bytes += padded(4 * len)), new Int32Array(0)),
    f32: (len) => ((bytes += padded(4 * len)), new Float32Array(0)),
    f64: (len) => ((bytes += padded(8 * len)), new Float64Array(0)),
  });
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const kernels = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports as unknown as Kernels;
  const buffer = memory.buffer;
  arenas.set(buffer, kernels);
  let next = 0;
  const take = (len: number, size: number) => {
    const at = next;
    next += padded(len * size);
    if (next > buffer.byteLength) throw new Error(`internal: arena layout asked for more than its ${buffer.byteLength} bytes`);
    return at;
  };
  return layout({
    u8: (len) => new Uint8Array(buffer, take(len, 1), len),
    i32: (len) => new Int32Array(buffer, take(len, 4), len),
    f32: (len) => new Float32Array(buffer, take(len, 4), len),
    f64: (len) => new Float64Array(buffer, take(len, 8), len),
  });
}

/** The kernels of the arena all these arrays live in; throws when they are not all in one. */
export function kernelsOf(...views: ArrayBufferView[]): Kernels {
  const buffer = views[0].buffer;
  const k = arenas.get(buffer);
  if (!k) throw new Error('internal: array is not in a kernel arena (allocate in kernels.ts)');
  for (let i = 1; i < views.length; i++) if (views[i].buffer !== buffer) throw new Error('internal: arrays from different kernel arenas');
  return k;
}
