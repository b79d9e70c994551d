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
  const order: [number, number][] = [];
  parts.forEach((p, t) => {
    const n = p.dates.length;
    if (p.X.length !== n * f) throw new Error(`ticker ${p.ticker}: X has ${p.X.length} values, expected ${n} rows x ${f} features`);
    if (p.y.length !== n || p.labelEndDates.length !== n) throw new Error(`ticker ${p.ticker}: y/labelEndDates length differs from ${n} dates`);
    for (let i = 0; i < n; i++) {
      if (i > 0 && p.dates[i] <= p.dates[i - 1]) throw new Error(`ticker ${p.ticker}: dates not strictly ascending at ${p.dates[i]}`);
      order.push([t, i]);
    }
  });
  // Array.prototype.sort is stable: equal dates keep ticker order.
  order.sort((a, b) => (parts[a[0]].dates[a[1]] < parts[b[0]].dates[b[1]] ? -1 : parts[a[0]].dates[a[1]] > parts[b[0]].dates[b[1]] ? 1 : 0));
  const n = order.length;
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
  order.forEach(([t, i], k) => {
    const p = parts[t];
    out.X.set(p.X.subarray(i * f, (i + 1) * f), k * f);
    out.y[k] = p.y[i];
    out.dates[k] = p.dates[i];
    out.labelEndDates[k] = p.labelEndDates[i];
    out.tickerIndex[k] = t;
    out.sourceRow[k] = i;
  });
  return out;
}

/** Gather rows (in the given order) of a row-major matrix with f columns. */
export function takeRows(X: Float64Array, f: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * f);
  for (let k = 0; k < rows.length; k++) out.set(X.subarray(rows[k] * f, (rows[k] + 1) * f), k * f);
  return out;
}
