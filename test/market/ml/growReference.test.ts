import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { binColumns, binMatrix, computeBinEdges } from '../../../lib/market/ml/binning.js';
import { trainGbdt } from '../../../lib/market/ml/gbdt.js';
import { buildHistogram, subtractHistogram } from '../../../lib/market/ml/histogram.js';
import { allocate } from '../../../lib/market/ml/kernels.js';
import { predictRaw, type GbdtModel, type GbdtTree } from '../../../lib/market/ml/model.js';
import { partitionRows, splitSides } from '../../../lib/market/ml/partition.js';

/**
 * A slow reference of one boosting round, written from the definition with plain arrays and raw
 * values (no histograms, no subtraction, no partition buffers, no float32 storage tricks beyond
 * rounding each gradient as the documented precision says): leaf-wise growth that splits the leaf
 * with the largest gain, each leaf's best split found by trying every candidate threshold (the bin
 * edges) on the leaf's rows directly, missing values sent right then left.
 */
interface RefParams {
  numLeaves: number;
  maxDepth: number;
  minData: number;
  minHess: number;
  l2: number;
  lr: number;
}

function referenceTree(X: Float64Array, n: number, f: number, upper: Float64Array[], g: number[], h: number[], p: RefParams) {
  const sum = (a: number[], rows: number[]) => rows.reduce((s, r) => s + a[r], 0);
  const score = (rows: number[]) => sum(g, rows) ** 2 / (sum(h, rows) + p.l2);
  type Split = { gain: number; feature: number; threshold: number; nanLeft: boolean; left: number[]; right: number[] };
  const best = (rows: number[], depth: number): Split | null => {
    if (rows.length < 2 * Math.max(1, p.minData) || depth >= p.maxDepth) return null;
    let out: Split | null = null;
    let bestGain = 0; // min_gain_to_split
    const parent = score(rows);
    for (let j = 0; j < f; j++) {
      const hasNaN = rows.some((r) => Number.isNaN(X[r * f + j]));
      // Candidate thresholds: every bin edge; the last one (all values left) only when missing rows exist.
      const passes: [boolean, number][] = hasNaN ? [[false, upper[j].length], [true, upper[j].length - 1]] : [[false, upper[j].length - 1]];
      for (const [nanLeft, count] of passes) {
        for (let b = 0; b < count; b++) {
          const thr = upper[j][b];
          const left = rows.filter((r) => (Number.isNaN(X[r * f + j]) ? nanLeft : X[r * f + j] <= thr));
          const right = rows.filter((r) => !(Number.isNaN(X[r * f + j]) ? nanLeft : X[r * f + j] <= thr));
          if (left.length < Math.max(1, p.minData) || right.length < Math.max(1, p.minData)) continue;
          if (sum(h, left) < p.minHess || sum(h, right) < p.minHess) continue;
          const gain = score(left) + score(right) - parent;
          if (gain > bestGain) {
            bestGain = gain;
            // Without missing rows the NaN side is a guess: the larger child.
            out = { gain, feature: j, threshold: thr, nanLeft: hasNaN ? nanLeft : left.length >= right.length, left, right };
          }
        }
      }
    }
    return out;
  };
  const leaves: { rows: number[]; depth: number; split: Split | null; parent: number; isLeft: boolean }[] = [];
  const all = [...Array(n).keys()];
  leaves.push({ rows: all, depth: 0, split: best(all, 0), parent: -1, isLeft: false });
  const t = { splitFeature: [] as number[], threshold: [] as number[], defaultLeft: [] as boolean[], left: [] as number[], right: [] as number[] };
  while (leaves.length < p.numLeaves) {
    let li = -1;
    for (let l = 0; l < leaves.length; l++) if (leaves[l].split && (li < 0 || leaves[l].split!.gain > leaves[li].split!.gain)) li = l;
    if (li < 0) break;
    const leaf = leaves[li];
    const sp = leaf.split!;
    const node = t.splitFeature.length;
    t.splitFeature.push(sp.feature);
    t.threshold.push(sp.threshold);
    t.defaultLeft.push(sp.nanLeft);
    t.left.push(~li);
    t.right.push(~leaves.length);
    if (leaf.parent >= 0) (leaf.isLeft ? t.left : t.right)[leaf.parent] = node;
    const full = leaves.length + 1 >= p.numLeaves;
    leaves.push({ rows: sp.right, depth: leaf.depth + 1, split: full ? null : best(sp.right, leaf.depth + 1), parent: node, isLeft: false });
    leaves[li] = { rows: sp.left, depth: leaf.depth + 1, split: full ? null : best(sp.left, leaf.depth + 1), parent: node, isLeft: true };
  }
  return {
    ...t,
    leafValue: leaves.map((l) => (-sum(g, l.rows) / (sum(h, l.rows) + p.l2)) * p.lr),
    leafCount: leaves.map((l) => l.rows.length),
  };
}

function expectSameTree(got: GbdtTree, want: ReturnType<typeof referenceTree>): void {
  expect(got.splitFeature).toEqual(want.splitFeature);
  expect(got.threshold).toEqual(want.threshold);
  expect(got.defaultLeft).toEqual(want.defaultLeft);
  expect(got.left).toEqual(want.left);
  expect(got.right).toEqual(want.right);
  expect(got.leafCount).toEqual(want.leafCount);
  expect(got.leafValue.length).toBe(want.leafValue.length);
  got.leafValue.forEach((v, l) => expect(v).toBeCloseTo(want.leafValue[l], 12));
}

function data(n: number, f: number, seed: number) {
  const rng = createRng(seed);
  const X = new Float64Array(n * f);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) X[i * f + j] = rng.next() < (j === 0 ? 0.15 : 0.04) ? NaN : Math.round(rng.normal() * 40) / 40;
    const x0 = X[i * f];
    y[i] = Number.isNaN(x0) ? (rng.next() < 0.7 ? 2 : 0) : x0 + 0.6 * (X[i * f + 1] || 0) + 0.5 * rng.normal() > 0 ? 1 : 0;
  }
  return { X, y };
}

describe('the optimised trainer grows the trees a brute-force reference grows', () => {
  test('every tree of two boosting rounds (3 classes, depth and leaf limits, L2, missing values) equals the reference', () => {
    const n = 400;
    const f = 4;
    const { X, y } = data(n, f, 21);
    const params = { num_rounds: 2, num_leaves: 7, max_depth: 3, min_data_in_leaf: 8, lambda_l2: 1, learning_rate: 0.3, max_bin: 32 };
    const model = trainGbdt(X, y, n, f, params);
    const ref: RefParams = { numLeaves: 7, maxDepth: 3, minData: 8, minHess: 1e-3, l2: 1, lr: 0.3 };
    const { upper } = computeBinEdges(X, n, f, 32);
    expect(model.trees.length).toBe(6);
    for (let round = 0; round < 2; round++) {
      // Scores before this round from the model's own first trees, walked on raw values (model.ts).
      const before: GbdtModel = { ...model, trees: model.trees.slice(0, round * 3) };
      const raw = predictRaw(before, X, n);
      for (let c = 0; c < 3; c++) {
        const g: number[] = [];
        const h: number[] = [];
        for (let i = 0; i < n; i++) {
          const m = Math.max(raw[i * 3], raw[i * 3 + 1], raw[i * 3 + 2]);
          const e = [0, 1, 2].map((k) => Math.exp(raw[i * 3 + k] - m));
          const pc = e[c] / (e[0] + e[1] + e[2]);
          g.push(Math.fround(pc - (y[i] === c ? 1 : 0)));
          h.push(Math.fround(1.5 * pc * (1 - pc))); // LightGBM's C/(C-1) hessian factor
        }
        const tree = model.trees[round * 3 + c];
        expectSameTree(tree, referenceTree(X, n, f, upper, g, h, ref));
      }
    }
    // The fixture grows real trees (several reach the leaf or depth limit) and learns NaN directions both ways.
    expect(model.trees.filter((t) => t.leafValue.length >= 6).length).toBeGreaterThan(2);
    const dl = model.trees.flatMap((t) => t.defaultLeft);
    expect(dl).toContain(true);
    expect(dl).toContain(false);
  });
});

describe('histogram subtraction and row partitioning', () => {
  const rng = createRng(31);
  const n = 2000;
  const f = 5;
  const X = Float64Array.from({ length: n * f }, () => (rng.next() < 0.1 ? NaN : Math.round(rng.normal() * 8) / 8));
  const edges = computeBinEdges(X, n, f, 255);
  // The kernels work on arrays in one wasm arena (kernels.ts).
  const a = allocate((a) => ({
    bins: a.u8(n * f), cbins: a.u8(n * f), gh: a.f32(2 * n), feats: a.i32(f), rows: a.i32(n), tmp: a.i32(n), sides: a.u8(256),
    hists: [a.f64(edges.totalBins * 3), a.f64(edges.totalBins * 3), a.f64(edges.totalBins * 3)],
  }));
  const { bins, gh, feats } = a;
  binMatrix(X, n, f, edges, bins);
  binColumns(bins, n, f, a.cbins);
  for (let k = 0; k < 2 * n; k++) gh[k] = k % 2 === 0 ? rng.normal() : 0.1 + rng.next();
  feats.set([0, 1, 2, 3, 4]);
  /** Row ids in the arena's row array, from `at` on; returns the end. */
  const place = (ids: Int32Array, at: number) => (a.rows.set(ids, at), at + ids.length);

  test('parent minus the built child equals the sibling built directly and a plain tally of its rows', () => {
    const parentRows = Int32Array.from([...Array(n).keys()].filter(() => rng.next() < 0.7));
    const split = 0.3;
    const child = Int32Array.from([...parentRows].filter((r) => X[r * f + 1] <= split));
    const sibling = Int32Array.from([...parentRows].filter((r) => !(X[r * f + 1] <= split)));
    const [parent, small, direct] = a.hists;
    buildHistogram(parent, bins, f, gh, a.rows, 0, place(parentRows, 0), feats, f);
    buildHistogram(small, bins, f, gh, a.rows, 0, place(child, 0), feats, f);
    buildHistogram(direct, bins, f, gh, a.rows, 0, place(sibling, 0), feats, f);
    subtractHistogram(parent, small);
    for (let s = 0; s < parent.length; s++) expect(parent[s]).toBeCloseTo(direct[s], 10);
    // Plain tally from raw values: feature 3's missing bin and the bin of value 0 over the sibling's rows.
    for (const [pick, slot] of [
      [(v: number) => Number.isNaN(v), edges.offset[3] + edges.numBins[3]],
      [(v: number) => v === 0, edges.offset[3] + [...edges.upper[3]].findIndex((u) => 0 <= u)],
    ] as [(v: number) => boolean, number][]) {
      const rows = [...sibling].filter((r) => pick(X[r * f + 3]));
      expect(parent[slot * 3 + 2]).toBe(rows.length);
      expect(parent[slot * 3]).toBeCloseTo(rows.reduce((s, r) => s + gh[2 * r], 0), 10);
      expect(parent[slot * 3 + 1]).toBeCloseTo(rows.reduce((s, r) => s + gh[2 * r + 1], 0), 10);
    }
  });

  test('the branch-free partition keeps both sides in row order, missing rows on the default side', () => {
    const rows = Int32Array.from([...Array(n).keys()].filter(() => rng.next() < 0.5));
    const { tmp, sides, cbins } = a;
    for (const defaultLeft of [false, true]) {
      place(rows, 0);
      const work = a.rows.subarray(0, rows.length);
      const j = 2;
      const bin = 10;
      splitSides(sides, edges.numBins[j], bin, defaultLeft);
      const mid = partitionRows(work, tmp, cbins.subarray(j * n, (j + 1) * n), 0, work.length, sides);
      const thr = edges.upper[j][bin];
      const goesLeft = (r: number) => (Number.isNaN(X[r * f + j]) ? defaultLeft : X[r * f + j] <= thr);
      expect(Array.from(work.subarray(0, mid))).toEqual([...rows].filter(goesLeft));
      expect(Array.from(work.subarray(mid))).toEqual([...rows].filter((r) => !goesLeft(r)));
    }
  });
});
