/**
 * Updating training scores after each tree without walking real values: in-bag rows by the leaf
 * ranges growth left behind, out-of-bag rows by walking the tree on their bins.
 */
import type { BinEdges } from './binning.js';
import type { GrownTree } from './grow.js';
import { kernelsOf } from './kernels.js';

/**
 * In-bag rows are grouped by leaf after growth, so their scores update without a tree walk.
 * `scores` holds the tree's class's score per row; both arrays in one kernel arena (the loop is
 * wasm/softmax.ts addLeafScores).
 */
export function addTrainingScores(g: GrownTree, rows: Int32Array, scores: Float64Array): void {
  const k = kernelsOf(rows, scores);
  const v = g.tree.leafValue;
  for (let l = 0; l < v.length; l++) k.addLeafScores(scores.byteOffset, rows.byteOffset, g.leafStart[l], g.leafEnd[l], v[l]);
}

/** Out-of-bag rows walk the tree on their bins (bin <= threshold bin is value <= threshold). */
export function addOutOfBagScores(
  g: GrownTree,
  gbins: Uint8Array,
  f: number,
  edges: BinEdges,
  inBag: Uint8Array,
  scores: Float64Array,
): void {
  const t = g.tree;
  const n = inBag.length;
  if (t.splitFeature.length === 0) {
    for (let i = 0; i < n; i++) if (inBag[i] === 0) scores[i] += t.leafValue[0];
    return;
  }
  for (let i = 0; i < n; i++) {
    if (inBag[i] === 1) continue;
    let node = 0;
    while (node >= 0) {
      const j = t.splitFeature[node];
      const b = gbins[i * f + j];
      const left = b === edges.numBins[j] ? t.defaultLeft[node] : b <= g.thresholdBin[node];
      node = left ? t.left[node] : t.right[node];
    }
    scores[i] += t.leafValue[~node];
  }
}
