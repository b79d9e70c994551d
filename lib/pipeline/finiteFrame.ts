import type { Frame } from '../market/types.js';

/**
 * Throw on the first ±Infinity in a frame, naming the column and date. NaN is this pipeline's
 * "no value" (warm-up rows, missing inputs) and passes; an infinite value is always an overflow
 * or a division by zero that slipped through, and would otherwise flow silently into the
 * signals, the models and the sizing. Scans column by column: O(rows x columns), no allocation.
 */
export function checkNoInfinity(frame: Frame, where: string): void {
  for (const [name, col] of Object.entries(frame.columns)) {
    for (let t = 0; t < col.length; t++) {
      const v = col[t]!;
      if (v === Infinity || v === -Infinity) {
        throw new Error(`${where}: column ${name} is ${v} on ${frame.date[t]} (a numeric overflow or a division by zero: check the raw prices and volumes up to that date)`);
      }
    }
  }
}
