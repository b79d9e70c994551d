/**
 * Gradient and hessian of the softmax cross entropy, once per boosting round, for the bag's rows
 * only (out-of-bag rows build no histogram). The loop is wasm/softmax.ts (with wasm/exp.ts, V8's
 * Math.exp in wasm): in JavaScript the Math.exp calls alone were a tenth of training.
 */
import { kernelsOf, type Alloc } from './kernels.js';

export interface SoftmaxBuffers {
  /** Per class, its training scores (float64 per row). */
  scores: Float64Array[];
  /** Per class, its interleaved [g, h] per row (float32). */
  gh: Float32Array[];
  /** The scores' then the gradients' byte addresses, for the kernel. */
  tables: Int32Array;
  prob: Float64Array;
}

export function softmaxBuffers(a: Alloc, n: number, C: number): SoftmaxBuffers {
  return {
    scores: Array.from({ length: C }, () => a.f64(n)),
    gh: Array.from({ length: C }, () => a.f32(2 * n)),
    tables: a.i32(2 * C),
    prob: a.f64(C),
  };
}

/**
 * For row i = bag[k], k < bagCount, and class c: p = softmax(scores[.][i]) (max subtracted),
 * g = p_c - [y_i == c] and h = hessFactor * p_c * (1 - p_c), rounded to float32 into gh[c].
 * All arrays in one kernel arena.
 */
export function softmaxGradients(b: SoftmaxBuffers, y: Int32Array, bag: Int32Array, bagCount: number, hessFactor: number): void {
  const C = b.scores.length;
  const k = kernelsOf(b.tables, b.prob, y, bag, ...b.scores, ...b.gh);
  for (let c = 0; c < C; c++) {
    b.tables[c] = b.scores[c].byteOffset;
    b.tables[C + c] = b.gh[c].byteOffset;
  }
  k.softmaxGradients(b.tables.byteOffset, b.tables.byteOffset + 4 * C, C, y.byteOffset, bag.byteOffset, bagCount, hessFactor, b.prob.byteOffset);
}
