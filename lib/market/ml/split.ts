/**
 * Best split of one leaf from its gradient histogram (LightGBM's FindBestThreshold): every bin
 * boundary of every sampled feature is scored with the second-order gain
 *   GL^2/(HL+l2) + GR^2/(HR+l2) - G^2/(H+l2),
 * once with the missing bin sent right and once sent left, so the default direction of NaN is
 * learned per split. Ties keep the first candidate (features ascending, bins ascending, missing
 * right before left), which makes the choice deterministic.
 */
import { kernelsOf, type Alloc } from './kernels.js';

export interface SplitInfo {
  /** Gain over not splitting; -Infinity when no admissible split exists. */
  gain: number;
  feature: number;
  /** Local bin b: value bins 0..b go left. */
  bin: number;
  defaultLeft: boolean;
  leftG: number;
  leftH: number;
  leftCount: number;
}

export interface SplitConstraints {
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL2: number;
  minGainToSplit: number;
}

export function emptySplit(): SplitInfo {
  return { gain: -Infinity, feature: -1, bin: -1, defaultLeft: false, leftG: 0, leftH: 0, leftCount: 0 };
}

/** What the split kernel needs in the kernel arena besides the histogram and feature list. */
export interface SplitBuffers {
  /** edges.numBins, copied in by growTree. */
  numBins: Int32Array;
  /** The kernel's answer: [gain, feature, bin, defaultLeft, leftG, leftH, leftCount]. */
  result: Float64Array;
}

export function splitBuffers(a: Alloc, f: number): SplitBuffers {
  return { numBins: a.i32(f), result: a.f64(7) };
}

/**
 * Fill `out` with the best split of a leaf with totals (G, H, count) and histogram `hist`. The
 * scan is wasm/split.ts; hist, feats and the buffers are in one kernel arena.
 */
export function findBestSplit(
  out: SplitInfo,
  hist: Float64Array,
  sb: SplitBuffers,
  feats: Int32Array,
  nFeats: number,
  G: number,
  H: number,
  count: number,
  k: SplitConstraints,
): void {
  kernelsOf(hist, sb.numBins, sb.result, feats).findBestSplit(
    sb.result.byteOffset, hist.byteOffset, sb.numBins.byteOffset, feats.byteOffset, nFeats, G, H, count,
    k.lambdaL2, Math.max(1, k.minDataInLeaf), k.minSumHessianInLeaf, k.minGainToSplit,
  );
  const r = sb.result;
  out.gain = r[0];
  if (r[0] === -Infinity) {
    out.feature = -1;
    return;
  }
  out.feature = r[1];
  out.bin = r[2];
  out.defaultLeft = r[3] === 1;
  out.leftG = r[4];
  out.leftH = r[5];
  out.leftCount = r[6];
}
