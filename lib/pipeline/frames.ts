/**
 * Conversions between lib/market's column types (Bars, Frame) and lib/io's Table, plus the
 * column schemas of the pipeline's parquet artifacts. Tasks use these at their I/O edge.
 */
import type { ColumnSpec, Table } from '../io/table.js';
import { numberColumn, stringColumn } from '../io/table.js';
import type { Bars, Frame } from '../market/types.js';
import { alignDates } from '../market/features/relative-strength.js';

export const BAR_COLUMNS = ['open', 'high', 'low', 'close', 'volume', 'raw_close', 'adj_factor'] as const;

export const BARS_SCHEMA: ColumnSpec[] = [
  { name: 'date', kind: 'date' },
  { name: 'ticker', kind: 'string' },
  ...BAR_COLUMNS.map((name) => ({ name, kind: 'double' as const })),
];

export function barsToTable(bars: Bars, ticker: string): Table {
  const columns: Table['columns'] = { date: bars.date, ticker: bars.date.map(() => ticker) };
  for (const c of BAR_COLUMNS) columns[c] = bars[c];
  return { length: bars.date.length, columns };
}

export function tableToBars(table: Table, where: string): Bars {
  const bars = { date: stringColumn(table, 'date', where) } as Bars;
  for (const c of BAR_COLUMNS) bars[c] = numberColumn(table, c, where);
  return bars;
}

/** A frame as a table with `date` first and the given column order (schema order). */
export function frameToTable(frame: Frame, order: string[]): Table {
  const columns: Table['columns'] = { date: frame.date };
  for (const name of order) {
    const col = frame.columns[name];
    if (!col) throw new Error(`frame has no column '${name}'`);
    columns[name] = col;
  }
  return { length: frame.date.length, columns };
}

export function frameSchema(order: string[]): ColumnSpec[] {
  return [{ name: 'date', kind: 'date' }, ...order.map((name) => ({ name, kind: 'double' as const }))];
}

/** Every numeric column of a table as a Frame. */
export function tableToFrame(table: Table, where: string): Frame {
  const columns: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(table.columns)) if (col instanceof Float64Array) columns[name] = col;
  return { date: stringColumn(table, 'date', where), columns };
}

/** Values of `col` (on `fromDates`) placed on the `toDates` axis; NaN where a date is absent. */
export function alignTo(toDates: string[], fromDates: string[], col: Float64Array): Float64Array {
  return Float64Array.from(alignDates(toDates, fromDates), (j) => (j < 0 ? NaN : col[j]));
}

export function alignStrings(toDates: string[], fromDates: string[], col: string[], missing = ''): string[] {
  return Array.from(alignDates(toDates, fromDates), (j) => (j < 0 ? missing : col[j]));
}
