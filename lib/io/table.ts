/**
 * Columnar tables as the pipeline passes them between tasks and files.
 * Numbers are Float64Array with NaN for missing; `date` columns are ISO `YYYY-MM-DD` strings.
 */
export type ColumnKind = 'date' | 'string' | 'double' | 'int32';
export type ColumnData = string[] | Float64Array | Int32Array;

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

export interface Table {
  length: number;
  columns: Record<string, ColumnData>;
}

export function numberColumn(table: Table, name: string, where: string): Float64Array {
  const col = table.columns[name];
  if (!(col instanceof Float64Array)) throw new Error(`${where}: column '${name}' is missing or not numeric`);
  return col;
}

export function stringColumn(table: Table, name: string, where: string): string[] {
  const col = table.columns[name];
  if (!Array.isArray(col)) throw new Error(`${where}: column '${name}' is missing or not a string/date column`);
  return col;
}

/** Rows [from, to) of every column. */
export function sliceTable(table: Table, from: number, to = table.length): Table {
  const columns: Record<string, ColumnData> = {};
  for (const [k, v] of Object.entries(table.columns)) columns[k] = v.slice(from, to) as ColumnData;
  return { length: Math.max(0, Math.min(to, table.length) - from), columns };
}

/** Concatenate tables with the same columns (row order kept). */
export function concatTables(parts: Table[]): Table {
  if (parts.length === 0) throw new Error('concatTables: nothing to concatenate');
  const names = Object.keys(parts[0].columns);
  const length = parts.reduce((s, p) => s + p.length, 0);
  const columns: Record<string, ColumnData> = {};
  for (const name of names) {
    const first = parts[0].columns[name];
    if (Array.isArray(first)) {
      columns[name] = parts.flatMap((p) => p.columns[name] as string[]);
    } else {
      const out = first instanceof Int32Array ? new Int32Array(length) : new Float64Array(length);
      let at = 0;
      for (const p of parts) {
        const col = p.columns[name];
        if (!col) throw new Error(`concatTables: column '${name}' missing in a part`);
        out.set(col as Float64Array & Int32Array, at);
        at += p.length;
      }
      columns[name] = out;
    }
  }
  return { length, columns };
}

/** First index whose date is >= d (dates ascending). */
export function lowerBound(dates: string[], d: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
