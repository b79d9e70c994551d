import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRng } from '../../../lib/core/rng.js';
import { binMatrix, binOf, computeBinEdges, LAST_EDGE } from '../../../lib/market/ml/binning.js';
import { buildHistogram, subtractHistogram } from '../../../lib/market/ml/histogram.js';
import { allocate, kernelsOf } from '../../../lib/market/ml/kernels.js';

/**
 * The wasm kernels (lib/market/ml/wasm) against plain JavaScript written from the definitions:
 * bit-for-bit, since training must give the same models as the JavaScript loops it replaced.
 */
const bitsEqual = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe('wasm kernels', () => {
  test('the module needs nothing from its host but the memory it is given', () => {
    const m = new WebAssembly.Module(readFileSync(new URL('../../../lib/market/ml/wasm/kernels.wasm', import.meta.url)));
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  test('kernels refuse arrays outside an arena, and arrays of two arenas', () => {
    const a = allocate((a) => ({ h: a.f64(3), r: a.i32(1) }));
    const b = allocate((a) => ({ h: a.f64(3) }));
    expect(() => kernelsOf(new Float64Array(3))).toThrow(/not in a kernel arena/);
    expect(() => kernelsOf(a.h, b.h)).toThrow(/different kernel arenas/);
    expect(kernelsOf(a.h, a.r)).toBeDefined();
  });

  test('exp is Math.exp, bit for bit (V8 uses fdlibm; so does the kernel)', () => {
    const { exp } = kernelsOf(allocate((a) => a.u8(1)));
    const rng = createRng(11);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const xs = [0, -0, 1, -1, Infinity, -Infinity, NaN, 709.78, 709.79, -745.13, -745.14, 1e-300, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 0.5 * Math.LN2, 1.5 * Math.LN2];
    for (let i = 0; i < 100_000; i++) {
      xs.push(-40 * rng.next(), (rng.next() - 0.5) * 1500, (rng.next() - 0.5) * 2, (rng.next() - 0.5) * 1e-7);
      words[0] = rng.next() * 2 ** 32;
      words[1] = rng.next() * 2 ** 32;
      xs.push(bits[0]);
    }
    const bad = xs.filter((x) => !Object.is(exp(x), Math.exp(x)));
    expect(bad).toEqual([]);
  });

  test('the radix sort orders like Float64Array.prototype.sort (negatives, -0 before +0, infinities, ties)', () => {
    const rng = createRng(12);
    for (const n of [0, 1, 2, 7, 1000, 50_000]) {
      const vals = Float64Array.from({ length: n }, (_, i) =>
        i % 97 === 0 ? [-0, 0, Infinity, -Infinity][i % 4] : i % 5 === 0 ? Math.round(rng.normal() * 4) : rng.normal() * 10 ** rng.int(6));
      const a = allocate((a) => ({ keys: a.f64(n), tmp: a.f64(n), counts: a.i32(8 * 256) }));
      a.keys.set(vals);
      kernelsOf(a.keys).sortF64(a.keys.byteOffset, n, a.tmp.byteOffset, a.counts.byteOffset);
      expect(bitsEqual(a.keys, vals.slice().sort())).toBe(true);
    }
  });

  test('binMatrix gives every value its binOf bin (NaN, infinities, signed zeros, values on the edges)', () => {
    const rng = createRng(13);
    for (const [n, f, maxBin] of [[3000, 5, 255], [2500, 3, 16], [20_000, 2, 255]]) {
      const X = Float64Array.from({ length: n * f }, (_, k) => {
        const u = rng.next();
        if (u < 0.05) return NaN;
        if (u < 0.06) return [Infinity, -Infinity, 0, -0][k % 4];
        return k % f === 1 ? rng.int(9) : rng.normal();
      });
      const edges = computeBinEdges(X, n, f, maxBin);
      // Values exactly on edges (including LAST_EDGE) and just above them.
      for (let k = 0; k < 200; k++) {
        const j = k % f;
        const e = edges.upper[j][rng.int(edges.upper[j].length)];
        X[(rng.int(n) * f) + j] = k % 2 ? e : e === LAST_EDGE ? Infinity : e + Math.abs(e) * 1e-15 + 1e-300;
      }
      const out = binMatrix(X, n, f, edges);
      const want = Uint8Array.from({ length: n * f }, (_, k) => binOf(edges.upper[k % f], X[k]));
      expect(bitsEqual(out, want)).toBe(true);
    }
  });

  test('histograms equal a plain row-order tally, for every feature or a subset, and subtract exactly', () => {
    const rng = createRng(14);
    for (const f of [1, 2, 5, 8]) {
      const n = 4000;
      const X = Float64Array.from({ length: n * f }, () => (rng.next() < 0.08 ? NaN : rng.normal()));
      const edges = computeBinEdges(X, n, f, 255);
      const a = allocate((a) => ({
        bins: a.u8(n * f), gh: a.f32(2 * n), rows: a.i32(n), feats: a.i32(f),
        h: a.f64(edges.totalBins * 3), part: a.f64(edges.totalBins * 3),
      }));
      binMatrix(X, n, f, edges, a.bins);
      for (let k = 0; k < 2 * n; k++) a.gh[k] = k % 2 ? rng.next() : rng.normal();
      // Rows in any order (not ascending), some repeated.
      for (let k = 0; k < n; k++) a.rows[k] = rng.int(n);
      const subset = [...Array(f).keys()].filter((j) => f === 1 || j % 2 === 1);
      for (const feats of [[...Array(f).keys()], subset]) {
        a.feats.set(feats);
        const start = 100;
        const end = 3500;
        buildHistogram(a.h, a.bins, f, a.gh, a.rows, start, end, a.feats, feats.length);
        const want = new Float64Array(edges.totalBins * 3);
        for (let k = start; k < end; k++) {
          const r = a.rows[k];
          for (const j of feats) {
            const s = (j * 256 + a.bins[r * f + j]) * 3;
            want[s] += a.gh[2 * r];
            want[s + 1] += a.gh[2 * r + 1];
            want[s + 2] += 1;
          }
        }
        expect(bitsEqual(a.h, want)).toBe(true);
        // parent - child, slot by slot, in float64.
        buildHistogram(a.part, a.bins, f, a.gh, a.rows, start, 1200, a.feats, feats.length);
        const diff = want.map((v, s) => v - a.part[s]);
        subtractHistogram(a.h, a.part);
        expect(bitsEqual(a.h, diff)).toBe(true);
      }
    }
  });
});
