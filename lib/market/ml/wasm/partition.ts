// AssemblyScript (compiled to kernels.wasm by scripts/build-wasm.mjs, not by tsc).
// @ts-nocheck: AssemblyScript types (usize, load/store) are not TypeScript's.

/**
 * Stable partition of rows[s, e) (int32 row ids) by one feature's column of bins `col` (bytes,
 * indexed by row id) and a 256-byte side table `goesLeft`: left rows keep their order in front,
 * right ones follow in order (through `tmp`); returns the first right position. Branch-free,
 * as ../partition.ts explains.
 */
export function partitionRows(rows: usize, tmp: usize, col: usize, s: i32, e: i32, goesLeft: usize): i32 {
  let wl = <usize>s;
  let wr: usize = 0;
  for (let k = <usize>s; k < <usize>e; k++) {
    const r = load<i32>(rows + (k << 2));
    const left = <usize>load<u8>(goesLeft + <usize>load<u8>(col + <usize>r));
    store<i32>(rows + (wl << 2), r);
    store<i32>(tmp + (wr << 2), r);
    wl += left;
    wr += 1 - left;
  }
  memory.copy(rows + (wl << 2), tmp, wr << 2);
  return <i32>wl;
}
