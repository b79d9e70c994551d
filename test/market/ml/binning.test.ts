import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { binColumns, binMatrix, binOf, computeBinEdges, LAST_EDGE } from '../../../lib/market/ml/binning.js';
import { createWorkspace, growTree } from '../../../lib/market/ml/grow.js';
import { buildHistogram, buildRootHistograms, ROOT_SCRATCH } from '../../../lib/market/ml/histogram.js';
import { allocate } from '../../../lib/market/ml/kernels.js';
import { addTree } from '../../../lib/market/ml/model.js';
import { addOutOfBagScores, addTrainingScores } from '../../../lib/market/ml/trainScores.js';

describe('bin edges', () => {
  test('few distinct values: one bin per value, edges halfway between neighbours, NaN in its own bin', () => {
    const X = Float64Array.from([3, NaN, 1, 2, 2, 3, 1, NaN]);
    const e = computeBinEdges(X, 8, 1, 255);
    expect(Array.from(e.upper[0])).toEqual([1.5, 2.5, LAST_EDGE]);
    expect(e.numBins[0]).toBe(3);
    expect(Array.from(X, (v) => binOf(e.upper[0], v))).toEqual([2, 3, 0, 1, 1, 2, 0, 3]);
  });

  test('many distinct values: at most max_bin bins of roughly equal counts', () => {
    const rng = createRng(1);
    const n = 5000;
    const X = Float64Array.from({ length: n }, () => Math.exp(rng.normal()));
    const e = computeBinEdges(X, n, 1, 16);
    expect(e.numBins[0]).toBeLessThanOrEqual(16);
    expect(e.numBins[0]).toBeGreaterThanOrEqual(15);
    const counts = new Array(e.numBins[0]).fill(0);
    for (const v of X) counts[binOf(e.upper[0], v)]++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(n / 16 / 2);
      expect(c).toBeLessThan((n / 16) * 2);
    }
  });

  test('bin <= b holds exactly when value <= upper[b], for every value and every bin', () => {
    const rng = createRng(2);
    const n = 2000;
    const X = Float64Array.from({ length: n }, (_, i) => (i % 17 === 0 ? NaN : Math.round(rng.normal() * 300) / 100));
    const e = computeBinEdges(X, n, 1, 32);
    const up = e.upper[0];
    const mismatches: string[] = [];
    for (const v of X) {
      if (Number.isNaN(v)) continue;
      const bin = binOf(up, v);
      for (let b = 0; b < up.length; b++) if (bin <= b !== v <= up[b]) mismatches.push(`value ${v} bin ${bin} vs edge ${b}`);
    }
    expect(up.length).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
  });

  test('binMatrix stores local bins row-major (missing = the number of value bins), binColumns the same column-major', () => {
    const X = Float64Array.from([1, 10, 2, NaN, 1, 30]);
    const e = computeBinEdges(X, 3, 2, 255);
    expect(Array.from(e.numBins)).toEqual([2, 2]); // feature 0: values 1, 2; feature 1: 10, 30
    expect(Array.from(e.offset)).toEqual([0, 256]); // histogram slots: 256 per feature
    expect(Array.from(binMatrix(X, 3, 2, e))).toEqual([0, 0, 1, 2, 0, 1]);
    expect(Array.from(binColumns(binMatrix(X, 3, 2, e), 3, 2))).toEqual([0, 1, 0, 0, 2, 1]);
  });
});

describe('training-time score updates', () => {
  test('leaf ranges (in-bag rows) and bin walks (out-of-bag rows) add what the real-valued tree walk adds', () => {
    const rng = createRng(3);
    const n = 3000;
    const f = 4;
    const X = Float64Array.from({ length: n * f }, () => (rng.next() < 0.1 ? NaN : rng.normal()));
    const edges = computeBinEdges(X, n, f, 64);
    const { gh, gbins, cbins, rows, feats, fast, ws } = allocate((a) => ({
      gh: a.f32(2 * n), gbins: a.u8(n * f), cbins: a.u8(n * f), rows: a.i32(n), feats: a.i32(f), fast: a.f64(n), ws: createWorkspace(a, 12, edges.totalBins, n),
    }));
    for (let i = 0; i < n; i++) {
      gh[2 * i] = Math.sin(X[i * f] || 0.3) + 0.5 * (X[i * f + 1] > 0 ? 1 : -1) + 0.1 * rng.normal();
      gh[2 * i + 1] = 0.2 + rng.next();
    }
    const inBag = Uint8Array.from({ length: n }, () => (rng.next() < 0.6 ? 1 : 0));
    const bag = Int32Array.from([...Array(n).keys()].filter((i) => inBag[i] === 1));
    binMatrix(X, n, f, edges, gbins);
    binColumns(gbins, n, f, cbins);
    rows.set(bag);
    feats.set([0, 1, 2, 3]);
    const grown = growTree(
      {
        gbins, cbins, f, edges, gh, rows, nRows: bag.length, nAll: n, feats, nFeats: f, numLeaves: 12, maxDepth: -1, learningRate: 0.5,
        constraints: { minDataInLeaf: 20, minSumHessianInLeaf: 1e-3, lambdaL2: 1, minGainToSplit: 0 },
      },
      ws,
      0,
    );
    expect(grown.tree.leafValue.length).toBe(12);
    addTrainingScores(grown, rows, fast);
    addOutOfBagScores(grown, gbins, f, edges, inBag, fast);
    const slow = new Float64Array(n);
    addTree(grown.tree, X, n, f, slow, 1);
    expect(Array.from(fast)).toEqual(Array.from(slow));
  });
});

describe('histograms', () => {
  test('shared root histograms of 1 to 5 classes are bit-identical to per-class builds and to a plain tally', () => {
    const rng = createRng(4);
    const n = 500;
    const f = 3;
    const X = Float64Array.from({ length: n * f }, () => (rng.next() < 0.1 ? NaN : rng.int(6)));
    const edges = computeBinEdges(X, n, f, 255);
    const sortedRows = Int32Array.from({ length: 300 }, (_, k) => k * 1 + (k % 2) * 100).sort();
    for (let C = 1; C <= 5; C++) {
      const { gbins, cbins, scratch, rows, all, ghs, shared, single } = allocate((a) => ({
        gbins: a.u8(n * f), cbins: a.u8(n * f), scratch: a.f64(ROOT_SCRATCH), rows: a.i32(sortedRows.length), all: a.i32(f),
        ghs: Array.from({ length: C }, () => a.f32(2 * n)),
        shared: Array.from({ length: C }, () => a.f64(edges.totalBins * 3)),
        single: a.f64(edges.totalBins * 3),
      }));
      binMatrix(X, n, f, edges, gbins);
      binColumns(gbins, n, f, cbins);
      rows.set(sortedRows);
      all.set([0, 1, 2]);
      for (const gh of ghs) for (let k = 0; k < gh.length; k++) gh[k] = rng.normal();
      buildRootHistograms(shared, gbins, cbins, f, ghs, rows, rows.length, scratch);
      for (let c = 0; c < C; c++) {
        buildHistogram(single, gbins, f, ghs[c], rows, 0, rows.length, all, f);
        expect(Array.from(shared[c])).toEqual(Array.from(single));
        // Plain tally of feature 1, bin of value 3, straight from the raw values.
        const bin = edges.offset[1] + binOf(edges.upper[1], 3);
        let g = 0;
        let cnt = 0;
        for (const r of rows) if (X[r * f + 1] === 3) (g += ghs[c][2 * r]), cnt++;
        expect(shared[c][bin * 3]).toBeCloseTo(g, 12);
        expect(shared[c][bin * 3 + 2]).toBe(cnt);
      }
    }
  });
});
