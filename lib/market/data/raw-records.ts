import type { DqKind } from './dq.js';

/**
 * Raw price rows in column form, as read from any source (CSV here; a parquet reader elsewhere
 * fills the same shape), before validation and adjustment. NaN means missing.
 */
export interface RawRecords {
  /** Source position of each row for messages: the 1-based CSV line (a table reader: row index + 2, as if under a header). */
  line: number[];
  /** Dates exactly as written. */
  date: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** null when the source has no adjusted close (no adjustment is applied). */
  adjClose: Float64Array | null;
  volume: Float64Array;
  /** Rows the reader could not read properly: row index -> what was wrong. */
  malformed: Map<number, { kind: DqKind; message: string }>;
}

export function emptyRecords(n: number, hasAdj: boolean): RawRecords {
  return {
    line: new Array<number>(n),
    date: new Array<string>(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    adjClose: hasAdj ? new Float64Array(n) : null,
    volume: new Float64Array(n),
    malformed: new Map(),
  };
}

/** Copy of the first n rows (readers allocate for the line count, then trim blank lines). */
export function sliceRecords(r: RawRecords, n: number): RawRecords {
  return {
    line: r.line.slice(0, n),
    date: r.date.slice(0, n),
    open: r.open.slice(0, n),
    high: r.high.slice(0, n),
    low: r.low.slice(0, n),
    close: r.close.slice(0, n),
    adjClose: r.adjClose ? r.adjClose.slice(0, n) : null,
    volume: r.volume.slice(0, n),
    malformed: r.malformed,
  };
}
