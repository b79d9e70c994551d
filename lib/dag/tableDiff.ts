import type { Table } from '../io/table.js';

export interface TableDifference {
  column: string;
  date: string | null;
  row: number;
  expected: unknown;
  actual: unknown;
}

const same = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * First difference between two tables, scanning rows in date order and columns in schema
 * order. `upTo` limits the comparison to rows dated <= it (by the `date` column); columns in
 * `ignore` are skipped. Returns every column's first difference, not only the first column's.
 */
export function tableDifferences(expected: Table, actual: Table, opts: { upTo?: string; ignore?: (column: string) => boolean } = {}): TableDifference[] {
  const eDates = expected.columns.date as string[] | undefined;
  const aDates = actual.columns.date as string[] | undefined;
  const limit = (dates: string[] | undefined, n: number) => (opts.upTo && dates ? dates.filter((d) => d <= opts.upTo!).length : n);
  const ne = limit(eDates, expected.length);
  const na = limit(aDates, actual.length);
  const out: TableDifference[] = [];
  if (eDates && aDates) {
    for (let i = 0; i < Math.max(ne, na); i++) {
      if (eDates[i] !== aDates[i]) {
        out.push({ column: 'date', date: eDates[i] ?? aDates[i] ?? null, row: i, expected: eDates[i], actual: aDates[i] });
        return out;
      }
    }
  }
  const columns = [...new Set([...Object.keys(expected.columns), ...Object.keys(actual.columns)])];
  for (const c of columns) {
    if (c === 'date' || opts.ignore?.(c)) continue;
    const e = expected.columns[c];
    const a = actual.columns[c];
    if (!e || !a) {
      out.push({ column: c, date: null, row: -1, expected: e ? 'present' : 'absent', actual: a ? 'present' : 'absent' });
      continue;
    }
    for (let i = 0; i < Math.min(ne, na); i++) {
      if (!same(e[i], a[i])) {
        out.push({ column: c, date: eDates?.[i] ?? null, row: i, expected: e[i], actual: a[i] });
        break;
      }
    }
  }
  return out;
}
