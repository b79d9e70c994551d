/** Column form of a Yahoo Finance daily CSV (unadjusted OHLC, adjusted close, share volume). */
export interface YahooColumns {
  date: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  adjClose: Float64Array;
  volume: Float64Array;
}

export const YAHOO_HEADER = 'Date,Open,High,Low,Close,Adj Close,Volume';

/**
 * Yahoo CSV text: the header, one row per date, prices with 6 decimals, integer volume, a final
 * newline. Rounding is monotone, so low <= open/close <= high survives it.
 */
export function formatYahooCsv(cols: YahooColumns): string {
  const n = cols.date.length;
  const lines = new Array<string>(n + 1);
  lines[0] = YAHOO_HEADER;
  for (let i = 0; i < n; i++) {
    lines[i + 1] =
      `${cols.date[i]},${cols.open[i]!.toFixed(6)},${cols.high[i]!.toFixed(6)},${cols.low[i]!.toFixed(6)},` +
      `${cols.close[i]!.toFixed(6)},${cols.adjClose[i]!.toFixed(6)},${Math.round(cols.volume[i]!)}`;
  }
  return lines.join('\n') + '\n';
}
