/**
 * Multi-class gradient boosting with histogram trees, after LightGBM's `multiclass` objective:
 * each round fits one leaf-wise tree per class to the gradient and hessian of the softmax cross
 * entropy. Written by hand because no LightGBM runs in Node; the model is plain JSON (model.ts)
 * and is exported to ONNX for inference (onnx.ts).
 */
import { createRng, deriveSeed, type Rng } from '../../core/rng.js';
import { binColumns, binMatrix, computeBinEdges } from './binning.js';
import { buildRootHistograms, ROOT_SCRATCH } from './histogram.js';
import { createWorkspace, growTree } from './grow.js';
import { softmaxBuffers, softmaxGradients } from './gradients.js';
import { allocate } from './kernels.js';
import { addOutOfBagScores, addTrainingScores } from './trainScores.js';
import { addTree, softmaxRows, type GbdtModel, type GbdtTree } from './model.js';
import { resolveParams, type GbdtParams } from './params.js';

export interface ValidSet {
  /** Row-major n x f, same feature order as the training matrix. */
  X: Float64Array;
  y: Int32Array;
  n: number;
}

/** Train on row-major X (n x f) with class ids y in [0, C). Deterministic for a given params.seed. */
export function trainGbdt(
  X: Float64Array,
  y: Int32Array,
  n: number,
  f: number,
  params: Partial<GbdtParams> = {},
  valid?: ValidSet,
): GbdtModel {
  const p = resolveParams(params);
  if (n < 1 || f < 1) throw new Error(`training set must have rows and features, got n=${n}, f=${f}`);
  if (X.length !== n * f) throw new Error(`X has ${X.length} values, expected n*f = ${n}*${f}`);
  if (y.length !== n) throw new Error(`y has ${y.length} labels, expected ${n}`);
  let maxY = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] < 0) throw new Error(`class ids must be >= 0, row ${i} has ${y[i]}`);
    if (y[i] > maxY) maxY = y[i];
  }
  const C = p.num_class > 0 ? p.num_class : Math.max(2, maxY + 1);
  if (maxY >= C) throw new Error(`class id ${maxY} out of range for num_class=${C}`);
  if (valid) checkValid(valid, f, C);

  const edges = computeBinEdges(X, n, f, p.max_bin);
  const nFeats = Math.max(1, Math.round(p.feature_fraction * f));
  // Everything the wasm kernels touch, in one memory sized for this fit (kernels.ts).
  const arena = allocate((a) => ({
    gbins: a.u8(n * f),
    cbins: a.u8(n * f),
    // Training scores class by class (one array per class): a tree updates its class's scores
    // for rows scattered over the whole set, so they are 8 bytes apart, not 8 * C. Gradients and
    // hessians in float32, as LightGBM and scikit-learn keep them: half the memory traffic of the
    // histogram loop, and the sums stay float64. Rounding is deterministic.
    grad: softmaxBuffers(a, n, C),
    labels: a.i32(n),
    bag: a.i32(n),
    rootHists: Array.from({ length: C }, () => a.f64(edges.totalBins * 3)),
    rootScratch: a.f64(ROOT_SCRATCH),
    rows: a.i32(n),
    feats: a.i32(nFeats),
    ws: createWorkspace(a, p.num_leaves, edges.totalBins, n),
  }));
  const { gbins, cbins, grad, labels, bag, rootHists, rootScratch, rows, feats, ws } = arena;
  const { scores, gh } = grad;
  labels.set(y);
  binMatrix(X, n, f, edges, gbins);
  binColumns(gbins, n, f, cbins);

  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) counts[y[i]]++;
  const baseScore = Array.from(counts, (c) => Math.log(Math.max(c / n, 1e-15)));

  for (let c = 0; c < C; c++) scores[c].fill(baseScore[c]);
  const vScores = valid ? new Float64Array(valid.n * C) : null;
  if (vScores) for (let i = 0; i < valid!.n; i++) for (let c = 0; c < C; c++) vScores[i * C + c] = baseScore[c];

  const bagRng = createRng(deriveSeed(p.seed, 'bagging'));
  const featRng = createRng(deriveSeed(p.seed, 'feature_fraction'));
  const bagging = p.bagging_freq > 0 && p.bagging_fraction < 1;
  const inBag = new Uint8Array(n);
  let bagCount = n;
  for (let i = 0; i < n; i++) bag[i] = i;
  inBag.fill(1);

  const featPool = new Int32Array(f);
  const hessFactor = C / (C - 1); // LightGBM's multiclass hessian scaling
  const constraints = {
    minDataInLeaf: p.min_data_in_leaf,
    minSumHessianInLeaf: p.min_sum_hessian_in_leaf,
    lambdaL2: p.lambda_l2,
    minGainToSplit: p.min_gain_to_split,
  };

  const trees: GbdtTree[] = [];
  const validLoss: number[] = [];
  let bestRound = -1;
  let bestLoss = Infinity;
  for (let round = 0; round < p.num_rounds; round++) {
    if (bagging && round % p.bagging_freq === 0) bagCount = drawBag(bagRng, n, p.bagging_fraction, bag, inBag);
    softmaxGradients(grad, labels, bag, bagCount, hessFactor);
    // All trees of a round share the bag: build their roots in one pass.
    rows.set(bag.subarray(0, bagCount));
    buildRootHistograms(rootHists, gbins, cbins, f, gh, rows, bagCount, rootScratch);
    for (let c = 0; c < C; c++) {
      drawFeatures(featRng, f, nFeats, featPool, feats);
      rows.set(bag.subarray(0, bagCount));
      const grown = growTree(
        {
          gbins, cbins, f, edges, gh: gh[c], rows, nRows: bagCount, nAll: n, feats, nFeats,
          numLeaves: p.num_leaves, maxDepth: p.max_depth, learningRate: p.learning_rate, constraints,
        },
        ws,
        c,
        rootHists[c],
      );
      trees.push(grown.tree);
      addTrainingScores(grown, rows, scores[c]);
      if (bagging) addOutOfBagScores(grown, gbins, f, edges, inBag, scores[c]);
      if (vScores) addTree(grown.tree, valid!.X, valid!.n, f, vScores, C);
    }
    if (vScores) {
      const loss = softmaxLogLoss(vScores, valid!.y, valid!.n, C);
      validLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRound = round;
      }
      if (p.early_stopping_rounds > 0 && round - bestRound >= p.early_stopping_rounds) break;
    }
  }
  const trained = trees.length / C;
  const kept = vScores && p.early_stopping_rounds > 0 ? bestRound + 1 : trained;
  trees.length = kept * C;
  const featureImportanceGain = new Array<number>(f).fill(0);
  for (const t of trees) for (let k = 0; k < t.splitFeature.length; k++) featureImportanceGain[t.splitFeature[k]] += t.splitGain[k];
  return {
    format: 'gbdt-softmax-v1',
    numClass: C,
    numFeatures: f,
    baseScore,
    trees,
    numRounds: kept,
    bestIteration: vScores ? bestRound + 1 : kept,
    validLoss,
    featureImportanceGain,
    params: { ...p, num_class: C },
  };
}

function checkValid(v: ValidSet, f: number, C: number): void {
  if (v.X.length !== v.n * f) throw new Error(`validation X has ${v.X.length} values, expected n*f = ${v.n}*${f}`);
  if (v.y.length !== v.n) throw new Error(`validation y has ${v.y.length} labels, expected ${v.n}`);
  for (let i = 0; i < v.n; i++) {
    if (v.y[i] < 0 || v.y[i] >= C) throw new Error(`validation class id ${v.y[i]} at row ${i} out of range for num_class=${C}`);
  }
}

/** Exactly round(fraction * n) rows, ascending, by selection sampling (Knuth's algorithm S). */
function drawBag(rng: Rng, n: number, fraction: number, bag: Int32Array, inBag: Uint8Array): number {
  const want = Math.max(1, Math.round(fraction * n));
  let got = 0;
  for (let i = 0; i < n; i++) {
    const take = rng.next() * (n - i) < want - got;
    inBag[i] = take ? 1 : 0;
    if (take) bag[got++] = i;
  }
  return got;
}

/** A seeded subset of k features (partial Fisher-Yates), ascending so split ties break the same way. */
function drawFeatures(rng: Rng, f: number, k: number, pool: Int32Array, out: Int32Array): void {
  for (let j = 0; j < f; j++) pool[j] = j;
  if (k < f) {
    for (let i = 0; i < k; i++) {
      const r = i + rng.int(f - i);
      const t = pool[i];
      pool[i] = pool[r];
      pool[r] = t;
    }
  }
  out.set(pool.subarray(0, k));
  out.sort();
}

/** Mean multi-class log loss of softmax(scores) (probabilities clipped at 1e-15). */
function softmaxLogLoss(scores: Float64Array, y: Int32Array, n: number, C: number): number {
  const p = scores.slice();
  softmaxRows(p, n, C);
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(Math.max(p[i * C + y[i]], 1e-15));
  return s / n;
}
