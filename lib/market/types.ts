/**
 * Shared column conventions for lib/market (pure functions on columns).
 * - A table is a set of equal-length columns; numbers are Float64Array and NaN means "missing"
 *   (the parquet boundary in lib/io writes NaN as null and reads null back as NaN).
 * - Dates are ISO strings `YYYY-MM-DD`, ascending; lexicographic order equals date order.
 */
export type DateColumn = string[];

/** Canonical processed bars (docs/pipeline.md): prices adjusted for splits and dividends. */
export interface Bars {
  date: DateColumn;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** The unadjusted close as it was traded. */
  raw_close: Float64Array;
  /** adjusted close / raw close (1 when the source had no adjustment information). */
  adj_factor: Float64Array;
}

/** Generic named numeric columns aligned on one date column. */
export interface Frame {
  date: DateColumn;
  columns: Record<string, Float64Array>;
}
