/**
 * The boosted-tree model as plain JSON data, and its reference prediction in JavaScript.
 * Production inference goes through ONNX (onnx.ts); this walk is the oracle it is tested against
 * and what training uses on the validation set.
 */
import type { GbdtParams } from './params.js';

/**
 * One regression tree on the softmax score of class `classId`. Internal node k tests
 * `x[splitFeature[k]] <= threshold[k]` (true: left); NaN goes left when defaultLeft[k].
 * A child c >= 0 is an internal node, c < 0 is leaf ~c. A tree without splits has one leaf.
 */
export interface GbdtTree {
  classId: number;
  splitFeature: number[];
  threshold: number[];
  defaultLeft: boolean[];
  left: number[];
  right: number[];
  splitGain: number[];
  /** Leaf outputs, learning rate already applied. */
  leafValue: number[];
  /** Training rows (in the bag) that reached each leaf. */
  leafCount: number[];
}

export interface GbdtModel {
  format: 'gbdt-softmax-v1';
  numClass: number;
  numFeatures: number;
  /** Initial raw score per class: log of the training class frequency (LightGBM's boost_from_average). */
  baseScore: number[];
  /** Round-major: tree r * numClass + c belongs to round r and class c. */
  trees: GbdtTree[];
  /** Rounds kept (after early stopping, the best one). */
  numRounds: number;
  /**
   * 1-based round with the lowest validation loss (equal to numRounds when early stopping cut
   * the model there), or numRounds without a validation set.
   */
  bestIteration: number;
  /** Validation multi-class log loss after each trained round (empty without a validation set). */
  validLoss: number[];
  /** Total split gain per feature over the kept trees. */
  featureImportanceGain: number[];
  params: GbdtParams;
}

/** Raw class scores (n x C row-major): base score plus the sum of each class's trees. */
export function predictRaw(model: GbdtModel, X: Float64Array, n: number): Float64Array {
  const C = model.numClass;
  const f = model.numFeatures;
  if (X.length !== n * f) throw new Error(`X has ${X.length} values, expected n*f = ${n}*${model.numFeatures}`);
  const out = new Float64Array(n * C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) out[i * C + c] = model.baseScore[c];
  for (const tree of model.trees) addTree(tree, X, n, f, out, C);
  return out;
}

/** Class probabilities (n x C row-major): softmax of predictRaw. */
export function predictProba(model: GbdtModel, X: Float64Array, n: number): Float64Array {
  const raw = predictRaw(model, X, n);
  softmaxRows(raw, n, model.numClass);
  return raw;
}

/** Add one tree's output for every row of X into out[i * C + classId]. */
export function addTree(tree: GbdtTree, X: Float64Array, n: number, f: number, out: Float64Array, C: number): void {
  const c = tree.classId;
  if (tree.splitFeature.length === 0) {
    const v = tree.leafValue[0];
    for (let i = 0; i < n; i++) out[i * C + c] += v;
    return;
  }
  const feat = Int32Array.from(tree.splitFeature);
  const thr = Float64Array.from(tree.threshold);
  const dl = Uint8Array.from(tree.defaultLeft, (b) => (b ? 1 : 0));
  const left = Int32Array.from(tree.left);
  const right = Int32Array.from(tree.right);
  const leaf = Float64Array.from(tree.leafValue);
  for (let i = 0; i < n; i++) {
    const base = i * f;
    let node = 0;
    while (node >= 0) {
      const v = X[base + feat[node]];
      const goLeft = v !== v ? dl[node] === 1 : v <= thr[node];
      node = goLeft ? left[node] : right[node];
    }
    out[i * C + c] += leaf[~node];
  }
}

/** In-place softmax of each row of an n x C matrix (max subtracted for stability, as ONNX Softmax does). */
export function softmaxRows(m: Float64Array, n: number, C: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * C;
    let mx = -Infinity;
    for (let c = 0; c < C; c++) if (m[o + c] > mx) mx = m[o + c];
    let s = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(m[o + c] - mx);
      m[o + c] = e;
      s += e;
    }
    for (let c = 0; c < C; c++) m[o + c] /= s;
  }
}
