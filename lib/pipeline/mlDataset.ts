import type { Table } from '../io/table.js';
import { numberColumn, stringColumn } from '../io/table.js';
import type { TickerRows } from '../market/ml/pooled.js';

/**
 * Feature columns the ML models read: stationary transforms only (returns, distances to moving
 * averages, z-scores, volatilities, volume z-score, relative strength). Price levels (sma_n) and
 * raw dollar volumes are left out: their scale drifts over years, so a tree split on them
 * learns the period rather than the pattern.
 */
export function mlFeatureNames(columns: string[]): string[] {
  return columns.filter((c) => /^(log_ret_1|ret_\d+|close_sma_\d+|close_z_\d+|rv_\d+|volume_z_\d+|rs_\d+)$/.test(c));
}

/** One ticker's model rows: features (row-major), label class (-1 = none) and label end date. */
export function tickerRows(ticker: string, table: Table, features: string[], horizon: number | null, where: string): TickerRows {
  const dates = stringColumn(table, 'date', where);
  const n = dates.length;
  const f = features.length;
  const X = new Float64Array(n * f);
  features.forEach((name, j) => {
    const col = numberColumn(table, name, where);
    for (let i = 0; i < n; i++) X[i * f + j] = col[i];
  });
  const y = new Int32Array(n).fill(-1);
  const labelEndDates = new Array<string>(n).fill('');
  if (horizon !== null) {
    const label = numberColumn(table, `target_state_h${horizon}`, where);
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(label[i]) && i + horizon < n) {
        y[i] = label[i];
        labelEndDates[i] = dates[i + horizon];
      }
    }
  }
  return { ticker, X, y, dates, labelEndDates };
}
