/**
 * Leaf-wise (best-first) growth of one regression tree, as LightGBM does: repeatedly split the
 * leaf whose best split has the largest gain, until `num_leaves` leaves exist or no leaf has an
 * admissible split. The smaller child's histogram is built from its rows and the larger one's
 * is the parent's minus it.
 */
import type { BinEdges } from './binning.js';
import { BIN_SLOTS } from './binning.js';
import { buildHistogram, subtractHistogram } from './histogram.js';
import { kernelsOf, type Alloc } from './kernels.js';
import { partitionRows, splitSides } from './partition.js';
import type { GbdtTree } from './model.js';
import { emptySplit, findBestSplit, splitBuffers, type SplitBuffers, type SplitConstraints, type SplitInfo } from './split.js';

/** Buffers reused across trees (allocated once per training run, in its kernel arena). */
export interface GrowWorkspace {
  hists: Float64Array[];
  tmp: Int32Array;
  goesLeft: Uint8Array;
  splits: SplitInfo[];
  splitBuf: SplitBuffers;
  /** The root's [G, H]. */
  sums: Float64Array;
  start: Int32Array;
  end: Int32Array;
  depth: Int32Array;
  histOf: Int32Array;
  sumG: Float64Array;
  sumH: Float64Array;
  /** Internal node whose child pointer refers to the leaf (-1 for the root) and which side. */
  parentNode: Int32Array;
  parentLeft: Uint8Array;
}

export function createWorkspace(a: Alloc, numLeaves: number, totalBins: number, maxRows: number): GrowWorkspace {
  const hists: Float64Array[] = [];
  for (let i = 0; i < numLeaves; i++) hists.push(a.f64(totalBins * 3));
  const splits: SplitInfo[] = [];
  for (let i = 0; i < numLeaves; i++) splits.push(emptySplit());
  return {
    hists,
    tmp: a.i32(maxRows),
    goesLeft: a.u8(BIN_SLOTS),
    splits,
    splitBuf: splitBuffers(a, totalBins / BIN_SLOTS),
    sums: a.f64(2),
    start: new Int32Array(numLeaves),
    end: new Int32Array(numLeaves),
    depth: new Int32Array(numLeaves),
    histOf: new Int32Array(numLeaves),
    sumG: new Float64Array(numLeaves),
    sumH: new Float64Array(numLeaves),
    parentNode: new Int32Array(numLeaves),
    parentLeft: new Uint8Array(numLeaves),
  };
}

export interface GrowInput {
  /** Row-major local bins (binning.ts binMatrix), for histograms. */
  gbins: Uint8Array;
  /** The same bins column-major (binColumns), for partitioning: one byte per row read, in row order. */
  cbins: Uint8Array;
  f: number;
  edges: BinEdges;
  /** Interleaved gradient and hessian per row, float32 (gbdt.ts says why). */
  gh: Float32Array;
  /** Row ids of the bag in rows[0, nRows); reordered in place so each leaf's rows are contiguous. */
  rows: Int32Array;
  nRows: number;
  /** Rows of the whole training set (the bins' n). */
  nAll: number;
  feats: Int32Array;
  nFeats: number;
  numLeaves: number;
  maxDepth: number;
  learningRate: number;
  constraints: SplitConstraints;
}

export interface GrownTree {
  tree: GbdtTree;
  /** Local threshold bin per internal node, for scoring training rows on bins. */
  thresholdBin: number[];
  /** Leaf l owns rows[leafStart[l], leafEnd[l]). */
  leafStart: Int32Array;
  leafEnd: Int32Array;
}

/** `rootHist`, when given, is the root's histogram already built (buildRootHistograms); it is consumed. */
export function growTree(inp: GrowInput, ws: GrowWorkspace, classId: number, rootHist?: Float64Array): GrownTree {
  const { gbins, f, edges, gh, rows, feats, nFeats, constraints } = inp;
  const maxDepth = inp.maxDepth > 0 ? inp.maxDepth : Infinity;
  const lambda = constraints.lambdaL2;
  const minSplitRows = 2 * Math.max(1, constraints.minDataInLeaf);
  const t: GbdtTree = {
    classId,
    splitFeature: [],
    threshold: [],
    defaultLeft: [],
    left: [],
    right: [],
    splitGain: [],
    leafValue: [],
    leafCount: [],
  };
  const thresholdBin: number[] = [];
  ws.splitBuf.numBins.set(edges.numBins);
  kernelsOf(gh, rows, ws.sums).sumGradients(gh.byteOffset, rows.byteOffset, inp.nRows, ws.sums.byteOffset);
  const G = ws.sums[0];
  const H = ws.sums[1];
  ws.start[0] = 0;
  ws.end[0] = inp.nRows;
  ws.depth[0] = 0;
  ws.histOf[0] = 0;
  ws.sumG[0] = G;
  ws.sumH[0] = H;
  ws.parentNode[0] = -1;
  ws.parentLeft[0] = 0;
  let nLeaves = 1;
  let freeHist = 1;
  const canSplit = (l: number) => ws.end[l] - ws.start[l] >= minSplitRows && ws.depth[l] < maxDepth;
  if (canSplit(0)) {
    if (rootHist) ws.hists[0] = rootHist;
    else buildHistogram(ws.hists[0], gbins, f, gh, rows, 0, inp.nRows, feats, nFeats);
    findBestSplit(ws.splits[0], ws.hists[0], ws.splitBuf, feats, nFeats, G, H, inp.nRows, constraints);
  } else ws.splits[0].gain = -Infinity;

  while (nLeaves < inp.numLeaves) {
    let bestLeaf = -1;
    let bestGain = -Infinity;
    for (let l = 0; l < nLeaves; l++) {
      if (ws.splits[l].gain > bestGain) {
        bestGain = ws.splits[l].gain;
        bestLeaf = l;
      }
    }
    if (bestLeaf < 0) break;
    const sp = ws.splits[bestLeaf];
    const j = sp.feature;
    // Partition the leaf's rows: left ones stay in front (stable), right ones follow.
    const s = ws.start[bestLeaf];
    const e = ws.end[bestLeaf];
    splitSides(ws.goesLeft, edges.numBins[j], sp.bin, sp.defaultLeft);
    const wl = partitionRows(rows, ws.tmp, inp.cbins.subarray(j * inp.nAll, (j + 1) * inp.nAll), s, e, ws.goesLeft);
    if (wl - s !== sp.leftCount) throw new Error(`internal: split row count ${wl - s} != histogram count ${sp.leftCount}`);

    const node = t.splitFeature.length;
    t.splitFeature.push(j);
    t.threshold.push(edges.upper[j][sp.bin]);
    t.defaultLeft.push(sp.defaultLeft);
    t.left.push(~bestLeaf);
    const newLeaf = nLeaves++;
    t.right.push(~newLeaf);
    t.splitGain.push(sp.gain);
    thresholdBin.push(sp.bin);
    const pn = ws.parentNode[bestLeaf];
    if (pn >= 0) {
      if (ws.parentLeft[bestLeaf] === 1) t.left[pn] = node;
      else t.right[pn] = node;
    }
    const depth = ws.depth[bestLeaf] + 1;
    const parentG = ws.sumG[bestLeaf];
    const parentH = ws.sumH[bestLeaf];
    const parentHist = ws.histOf[bestLeaf];
    const L = bestLeaf;
    const R = newLeaf;
    ws.start[R] = wl;
    ws.end[R] = e;
    ws.end[L] = wl;
    ws.depth[L] = depth;
    ws.depth[R] = depth;
    ws.sumG[L] = sp.leftG;
    ws.sumH[L] = sp.leftH;
    ws.sumG[R] = parentG - sp.leftG;
    ws.sumH[R] = parentH - sp.leftH;
    ws.parentNode[L] = node;
    ws.parentLeft[L] = 1;
    ws.parentNode[R] = node;
    ws.parentLeft[R] = 0;

    const splitL = canSplit(L);
    const splitR = canSplit(R);
    if (nLeaves >= inp.numLeaves || (!splitL && !splitR)) {
      ws.splits[L].gain = -Infinity;
      ws.splits[R].gain = -Infinity;
      continue;
    }
    const leftSmaller = wl - s <= e - wl;
    const small = leftSmaller ? L : R;
    const large = leftSmaller ? R : L;
    const hSmall = freeHist++;
    ws.histOf[small] = hSmall;
    ws.histOf[large] = parentHist;
    buildHistogram(ws.hists[hSmall], gbins, f, gh, rows, ws.start[small], ws.end[small], feats, nFeats);
    subtractHistogram(ws.hists[parentHist], ws.hists[hSmall]);
    for (let side = 0; side < 2; side++) {
      const l = side === 0 ? L : R;
      if (canSplit(l)) {
        const n = ws.end[l] - ws.start[l];
        findBestSplit(ws.splits[l], ws.hists[ws.histOf[l]], ws.splitBuf, feats, nFeats, ws.sumG[l], ws.sumH[l], n, constraints);
      } else ws.splits[l].gain = -Infinity;
    }
  }

  const leafStart = ws.start.slice(0, nLeaves);
  const leafEnd = ws.end.slice(0, nLeaves);
  for (let l = 0; l < nLeaves; l++) {
    const den = ws.sumH[l] + lambda;
    t.leafValue.push(den > 0 ? (-ws.sumG[l] / den) * inp.learningRate : 0);
    t.leafCount.push(leafEnd[l] - leafStart[l]);
  }
  return { tree: t, thresholdBin, leafStart, leafEnd };
}
