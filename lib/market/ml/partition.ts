/**
 * Splitting a leaf's rows in place, the step of leaf-wise growth that moves no data but row ids.
 */
import { BIN_SLOTS } from './binning.js';
import { kernelsOf } from './kernels.js';

/**
 * Fill `goesLeft` (BIN_SLOTS entries) with 1 for the bins a split sends left: value bins
 * 0..bin, and the missing bin `numBins` when defaultLeft.
 */
export function splitSides(goesLeft: Uint8Array, numBins: number, bin: number, defaultLeft: boolean): void {
  for (let b = 0; b < BIN_SLOTS; b++) goesLeft[b] = (b === numBins ? defaultLeft : b <= bin) ? 1 : 0;
}

/**
 * Stable partition of rows[s, e) by one feature's column of bins `col` (indexed by row id):
 * rows whose bin goes left keep their order in front, the others follow in order (through
 * `tmp`); returns the first right position. All arrays in one kernel arena (kernels.ts): the
 * loop is wasm/partition.ts, branch-free (every row is stored on both sides and only one cursor
 * advances) because which side a row takes is unpredictable, and a mispredicted branch per row
 * cost more than the extra store.
 */
export function partitionRows(rows: Int32Array, tmp: Int32Array, col: Uint8Array, s: number, e: number, goesLeft: Uint8Array): number {
  return kernelsOf(rows, tmp, col, goesLeft).partitionRows(rows.byteOffset, tmp.byteOffset, col.byteOffset, s, e, goesLeft.byteOffset);
}
