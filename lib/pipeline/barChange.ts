import type { Table } from '../io/table.js';

/**
 * How a ticker's processed bars changed in a run: new rows from `since`, a restated row (an
 * existing row whose values changed), or `full` when there was nothing to compare with.
 */
export interface BarChange {
  since?: string;
  restated?: string;
  full?: boolean;
}

/** Where the new processed bars differ from the old: appended rows, or a restated row. */
export function diffBars(before: Table | null, after: Table | null): BarChange {
  if (!before || !after) return { full: true };
  const oldDates = before.columns.date as string[];
  const newDates = after.columns.date as string[];
  const n = Math.min(oldDates.length, newDates.length);
  // column by column (not row by row): the first differing row over all columns
  let first = n;
  for (const [name, col] of Object.entries(before.columns)) {
    const other = after.columns[name];
    if (!other) {
      first = 0;
      break;
    }
    for (let i = 0; i < first; i++) {
      const a = col[i];
      const b = other[i];
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
        first = i;
        break;
      }
    }
  }
  if (first < n) return { restated: newDates[first] < oldDates[first] ? newDates[first] : oldDates[first] };
  if (newDates.length < oldDates.length) return { restated: oldDates[newDates.length] };
  return newDates.length > oldDates.length ? { since: newDates[oldDates.length] } : {};
}
