/**
 * Pooled datasets for `scope: global` models: several tickers' rows stacked into one matrix,
 * ordered by date then by ticker (in the order given), so a date fold (walkForward.ts) selects
 * every ticker's rows for the same calendar window.
 */

export interface TickerRows {
  ticker: string;
  /** Row-major n x f features. */
  X: Float64Array;
  /** Class ids; -1 marks a row without a label (e.g. its horizon runs past the data). */
  y: Int32Array;
  /** Ascending ISO dates, one per row. */
  dates: string[];
  /** Date of the close each row's label uses ('' when unknown). */
  labelEndDates: string[];
}

export interface PooledRows {
  n: number;
  f: number;
  X: Float64Array;
  y: Int32Array;
  dates: string[];
  labelEndDates: string[];
  /** Index into `tickers` for each row. */
  tickerIndex: Int32Array;
  tickers: string[];
  /** Row of the source ticker each pooled row came from. */
  sourceRow: Int32Array;
}

/** Stack tickers' rows by (date, ticker order). All parts must have f features. */
export function stackTickers(parts: TickerRows[], f: number): PooledRows {
  let total = 0;
  parts.forEach((p) => {
    const n = p.dates.length;
    if (p.X.length !== n * f) throw new Error(`ticker ${p.ticker}: X has ${p.X.length} values, expected ${n} rows x ${f} features`);
    if (p.y.length !== n || p.labelEndDates.length !== n) throw new Error(`ticker ${p.ticker}: y/labelEndDates length differs from ${n} dates`);
    for (let i = 1; i < n; i++) if (p.dates[i] <= p.dates[i - 1]) throw new Error(`ticker ${p.ticker}: dates not strictly ascending at ${p.dates[i]}`);
    total += n;
  });
  // A counting sort on the index of each row's date in the sorted union of dates: the same order
  // as a stable sort by date (equal dates keep ticker order), in O(rows) instead of
  // O(rows log rows) string comparisons (a 500-ticker pool has 750,000 rows).
  const calendar = [...new Set(parts.flatMap((p) => p.dates))].sort();
  const dayOf = new Map(calendar.map((d, k) => [d, k]));
  const start = new Int32Array(calendar.length + 1);
  for (const p of parts) for (const d of p.dates) start[dayOf.get(d)! + 1]++;
  for (let k = 0; k < calendar.length; k++) start[k + 1] += start[k];
  const orderT = new Int32Array(total);
  const orderI = new Int32Array(total);
  parts.forEach((p, t) => {
    for (let i = 0; i < p.dates.length; i++) {
      const k = start[dayOf.get(p.dates[i])!]++;
      orderT[k] = t;
      orderI[k] = i;
    }
  });
  const n = total;
  const out: PooledRows = {
    n,
    f,
    X: new Float64Array(n * f),
    y: new Int32Array(n),
    dates: new Array<string>(n),
    labelEndDates: new Array<string>(n),
    tickerIndex: new Int32Array(n),
    tickers: parts.map((p) => p.ticker),
    sourceRow: new Int32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const t = orderT[k];
    const i = orderI[k];
    const p = parts[t];
    // a plain loop: a subarray per row would allocate 750,000 views for a 500-ticker pool
    for (let j = 0, src = i * f, dst = k * f; j < f; j++) out.X[dst + j] = p.X[src + j];
    out.y[k] = p.y[i];
    out.dates[k] = p.dates[i];
    out.labelEndDates[k] = p.labelEndDates[i];
    out.tickerIndex[k] = t;
    out.sourceRow[k] = i;
  }
  return out;
}

/** Gather rows (in the given order) of a row-major matrix with f columns. */
export function takeRows(X: Float64Array, f: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * f);
  for (let k = 0; k < rows.length; k++) {
    for (let j = 0, src = rows[k] * f, dst = k * f; j < f; j++) out[dst + j] = X[src + j];
  }
  return out;
}
