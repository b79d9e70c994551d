/**
 * Gradient histograms: for every (feature, bin) slot the sums of gradient, hessian and row count
 * over a leaf's rows, stored as triplets [g, h, count] in one Float64Array of f * BIN_SLOTS * 3
 * (feature j's bin b at slot (j << 8) | b, see binning.ts). Building them is the hot loop of
 * training, so it runs in WebAssembly (wasm/histogram.ts; kernels.ts says how the arrays get
 * there); these are its typed-array entry points. Sums are accumulated in float64 in row order,
 * so a histogram is the same bits whichever way it is built.
 */
import { kernelsOf } from './kernels.js';

/**
 * Histogram of rows[start, end) into hist. `bins` is the row-major local-bin matrix (n x f),
 * `gh` interleaves gradient and hessian per row ([g0, h0, g1, h1, ...]). Only the features in
 * `feats[0, nFeats)` are filled; the other slots are left at zero. All arrays in one arena.
 */
export function buildHistogram(
  hist: Float64Array,
  bins: Uint8Array,
  f: number,
  gh: Float32Array,
  rows: Int32Array,
  start: number,
  end: number,
  feats: Int32Array,
  nFeats: number,
): void {
  kernelsOf(hist, bins, gh, rows, feats).buildHistogram(
    hist.byteOffset, hist.length / 3, bins.byteOffset, f, gh.byteOffset, rows.byteOffset, start, end, feats.byteOffset, nFeats,
  );
}

/** The subtraction trick: parent := parent - child gives the sibling's histogram without a pass over rows. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  kernelsOf(parent, child).subtractHistogram(parent.byteOffset, child.byteOffset, parent.length);
}

/**
 * Rows per block of the three-class root kernel: the block's gradients as float64 pairs fill
 * 48 KB, about an L1 cache (1024 measured 2-5% faster than 256 and the same as 4096).
 */
const ROOT_BLOCK = 1024;
/** Float64s of scratch buildRootHistograms needs: ROOT_BLOCK rows x 3 [g, h] pairs. */
export const ROOT_SCRATCH = ROOT_BLOCK * 6;

/**
 * Root histograms of several classes in one pass over rows[0, nRows), every feature: every
 * class's tree of a round starts from the same bag, so the bins are read once and the counts
 * (identical) are accumulated once and copied. With feature_fraction < 1 the features a class's
 * tree did not draw are built too and never read: one fused pass is cheaper than C partial ones.
 * Three classes at a time read the column-major bins `cbins` (n x f, binning.ts binColumns) by
 * blocks of rows, with `scratch` (ROOT_SCRATCH float64s); the rest the row-major `bins`. Sums
 * are added in the same row order as buildHistogram, so the result is bit-identical to building
 * each class alone.
 */
export function buildRootHistograms(
  hists: Float64Array[],
  bins: Uint8Array,
  cbins: Uint8Array,
  f: number,
  ghs: Float32Array[],
  rows: Int32Array,
  nRows: number,
  scratch: Float64Array,
): void {
  if (scratch.length < ROOT_SCRATCH) throw new Error(`internal: root histogram scratch of ${scratch.length} < ${ROOT_SCRATCH} float64s`);
  const k = kernelsOf(bins, cbins, rows, scratch, ...hists, ...ghs);
  const n = cbins.length / f;
  const slots = hists[0].length / 3;
  const C = hists.length;
  let c = 0;
  for (; c + 3 <= C; c += 3) {
    const [h0, h1, h2] = hists.slice(c, c + 3);
    const [g0, g1, g2] = ghs.slice(c, c + 3);
    k.buildRoot3(
      h0.byteOffset, h1.byteOffset, h2.byteOffset, slots, cbins.byteOffset, n, f, g0.byteOffset, g1.byteOffset, g2.byteOffset,
      rows.byteOffset, nRows, ROOT_BLOCK, scratch.byteOffset,
    );
  }
  for (; c + 2 <= C; c += 2) {
    k.buildRoot2(hists[c].byteOffset, hists[c + 1].byteOffset, slots, bins.byteOffset, f, ghs[c].byteOffset, ghs[c + 1].byteOffset, rows.byteOffset, nRows);
  }
  // One class left: every feature (the kernel reads no feature list when nFeats == f).
  if (c < C) k.buildHistogram(hists[c].byteOffset, slots, bins.byteOffset, f, ghs[c].byteOffset, rows.byteOffset, 0, nRows, 0, f);
}
