/**
 * Best split of one leaf from its gradient histogram (LightGBM's FindBestThreshold): every bin
 * boundary of every sampled feature is scored with the second-order gain
 *   GL^2/(HL+l2) + GR^2/(HR+l2) - G^2/(H+l2),
 * once with the missing bin sent right and once sent left, so the default direction of NaN is
 * learned per split. Ties keep the first candidate (features ascending, bins ascending, missing
 * right before left), which makes the choice deterministic.
 */
import type { BinEdges } from './binning.js';

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

/** Fill `out` with the best split of a leaf with totals (G, H, count) and histogram `hist`. */
export function findBestSplit(
  out: SplitInfo,
  hist: Float64Array,
  edges: BinEdges,
  feats: Int32Array,
  nFeats: number,
  G: number,
  H: number,
  count: number,
  k: SplitConstraints,
): void {
  out.gain = -Infinity;
  out.feature = -1;
  const l2 = k.lambdaL2;
  const minData = Math.max(1, k.minDataInLeaf);
  const minHess = k.minSumHessianInLeaf;
  const parent = (G * G) / (H + l2);
  let best = k.minGainToSplit;
  const leaf: LeafTotals = { G, H, count, parent, l2, minData, minHess };
  for (let q = 0; q < nFeats; q++) {
    const j = feats[q];
    const nb = edges.numBins[j];
    const off = edges.offset[j];
    const m = (off + nb) * 3;
    const gM = hist[m];
    const hM = hist[m + 1];
    const cM = hist[m + 2];
    // Pass 1: missing rows go right. With no missing rows the side for NaN at prediction time
    // is a guess; the larger child is the likelier home of an unseen value.
    best = scanBins(out, hist, off, cM > 0 ? nb - 1 : nb - 2, 0, 0, 0, leaf, best, j, false, cM <= 0);
    // Pass 2: missing rows go left.
    if (cM > 0) best = scanBins(out, hist, off, nb - 2, gM, hM, cM, leaf, best, j, true, false);
  }
}

interface LeafTotals {
  G: number;
  H: number;
  count: number;
  parent: number;
  l2: number;
  minData: number;
  minHess: number;
}

/**
 * Score the boundaries after bins 0..lastBin of feature j, the left child starting from
 * (gl, hl, cl) (the missing bin when it goes left); returns the best gain so far, recording
 * improvements in `out`.
 */
function scanBins(
  out: SplitInfo, hist: Float64Array, off: number, lastBin: number, gl: number, hl: number, cl: number,
  leaf: LeafTotals, best: number, j: number, missingLeft: boolean, guessSide: boolean,
): number {
  const { G, H, count, parent, l2, minData, minHess } = leaf;
  for (let b = 0; b <= lastBin; b++) {
    const s = (off + b) * 3;
    gl += hist[s];
    hl += hist[s + 1];
    cl += hist[s + 2];
    if (cl < minData || hl < minHess) continue;
    const cr = count - cl;
    if (cr < minData) break;
    const hr = H - hl;
    if (hr < minHess) continue;
    const gr = G - gl;
    const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
    if (gain > best) {
      best = gain;
      set(out, gain, j, b, missingLeft || (guessSide && cl >= cr), gl, hl, cl);
    }
  }
  return best;
}

function set(out: SplitInfo, gain: number, feature: number, bin: number, defaultLeft: boolean, g: number, h: number, c: number): void {
  out.gain = gain;
  out.feature = feature;
  out.bin = bin;
  out.defaultLeft = defaultLeft;
  out.leftG = g;
  out.leftH = h;
  out.leftCount = c;
}
