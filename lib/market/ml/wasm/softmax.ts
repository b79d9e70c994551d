// AssemblyScript (compiled to kernels.wasm by scripts/build-wasm.mjs, not by tsc).
// @ts-nocheck: AssemblyScript types (usize, f64, load/store) are not TypeScript's.
import { exp, expV8 } from './exp';

/**
 * Softmax cross-entropy gradients and hessians of the bag's rows (../gbdt.ts softmaxGradients
 * says what they are): for row i = bag[k], k < bagCount, with C classes whose score arrays
 * (float64, indexed by row) start at the byte addresses in scores[0, C) (int32) and whose [g, h]
 * float32 arrays at gh[0, C), writes g = p_c - [y_i == c] and h = hessFactor * p_c * (1 - p_c).
 * The operations and their order are the JavaScript ones, and exp is V8's (./exp.ts), so the
 * gradients are bit-identical. `prob` is scratch for C float64s.
 */
export function softmaxGradients(
  scores: usize, gh: usize, C: i32, y: usize, bag: usize, bagCount: i32, hessFactor: f64, prob: usize,
): void {
  const nc = <usize>C;
  for (let k = 0; k < bagCount; k++) {
    const i = <usize>load<i32>(bag + (<usize>k << 2));
    let mx = -Infinity;
    for (let c: usize = 0; c < nc; c++) {
      const s = load<f64>(<usize>load<i32>(scores + (c << 2)) + (i << 3));
      if (s > mx) mx = s;
    }
    let sum: f64 = 0;
    for (let c: usize = 0; c < nc; c++) {
      const e = expV8(load<f64>(<usize>load<i32>(scores + (c << 2)) + (i << 3)) - mx);
      store<f64>(prob + (c << 3), e);
      sum += e;
    }
    const yi = <usize>load<i32>(y + (i << 2));
    for (let c: usize = 0; c < nc; c++) {
      const pc = load<f64>(prob + (c << 3)) / sum;
      const g = <usize>load<i32>(gh + (c << 2)) + (i << 3);
      store<f32>(g, <f32>(yi == c ? pc - 1 : pc));
      store<f32>(g, <f32>(hessFactor * pc * (1 - pc)), 4);
    }
  }
}

/** scores[rows[k]] += w for k in [start, end): one leaf's in-bag rows after a tree (../trainScores.ts). */
export function addLeafScores(scores: usize, rows: usize, start: i32, end: i32, w: f64): void {
  for (let k = start; k < end; k++) {
    const s = scores + (<usize>load<i32>(rows + (<usize>k << 2)) << 3);
    store<f64>(s, load<f64>(s) + w);
  }
}

/** exp for the test that checks it against Math.exp. */
export { exp };
