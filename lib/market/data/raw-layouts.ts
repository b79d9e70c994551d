/**
 * The raw CSV layouts the pipeline reads, told apart by their header. Names are compared after
 * lower-casing and removing spaces and underscores, so `Adj Close`, `adj_close` and `adjclose`
 * are one column.
 */
export type RawColumn = 'date' | 'open' | 'high' | 'low' | 'close' | 'adjclose' | 'volume' | 'name';

export interface RawLayout {
  id: 'yahoo' | 'lower_adjclose' | 'kaggle' | 'stooq' | 'yfinance' | 'yfinance_adj';
  /** The header as the source writes it (for error messages). */
  header: string;
  columns: RawColumn[];
  /**
   * Lines between the header and the first row: yfinance's `download(...).to_csv()` writes its
   * two-level columns as `Price,...`, then `Ticker,<symbol>,...`, then `Date,,...`.
   */
  subHeaders?: true;
}

export const RAW_LAYOUTS: readonly RawLayout[] = [
  { id: 'yahoo', header: 'Date,Open,High,Low,Close,Adj Close,Volume', columns: ['date', 'open', 'high', 'low', 'close', 'adjclose', 'volume'] },
  { id: 'lower_adjclose', header: 'date,open,high,low,close,adjclose,volume', columns: ['date', 'open', 'high', 'low', 'close', 'adjclose', 'volume'] },
  { id: 'kaggle', header: 'date,open,high,low,close,volume,Name', columns: ['date', 'open', 'high', 'low', 'close', 'volume', 'name'] },
  { id: 'stooq', header: 'Date,Open,High,Low,Close,Volume', columns: ['date', 'open', 'high', 'low', 'close', 'volume'] },
  { id: 'yfinance', header: 'Price,Close,High,Low,Open,Volume', columns: ['date', 'close', 'high', 'low', 'open', 'volume'], subHeaders: true },
  { id: 'yfinance_adj', header: 'Price,Adj Close,Close,High,Low,Open,Volume', columns: ['date', 'adjclose', 'close', 'high', 'low', 'open', 'volume'], subHeaders: true },
];

const normalise = (name: string): string => name.trim().toLowerCase().replace(/[\s_]/g, '');

/** The layout whose columns match the header, or undefined. */
export function detectLayout(header: string): RawLayout | undefined {
  const exact = RAW_LAYOUTS.find((l) => l.header === header.trim());
  if (exact) return exact;
  const names = header.split(',').map(normalise).join(',');
  return RAW_LAYOUTS.find((l) => l.columns.join(',') === names);
}

export function expectedLayoutsText(): string {
  return RAW_LAYOUTS.map((l) => `'${l.header}' (${l.id})`).join(', ');
}
