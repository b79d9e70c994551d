import type { Table } from '../../io/table.js';

/**
 * How a table changed between two versions, by its date index: new rows from `since`, a
 * restated row (an existing row whose values changed, or a date removed or inserted), or `full`
 * when there was nothing to compare with. `{}`: no change at all.
 */
export interface RowChange {
  since?: string;
  restated?: string;
  full?: boolean;
}

/** Where the new table differs from the old: appended rows, or a restated row. */
export function diffRows(before: Table | null, after: Table | null): RowChange {
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
  if (Object.keys(after.columns).some((name) => !(name in before.columns))) first = 0;
  if (first < n) return { restated: newDates[first] < oldDates[first] ? newDates[first] : oldDates[first] };
  if (newDates.length < oldDates.length) return { restated: oldDates[newDates.length] };
  return newDates.length > oldDates.length ? { since: newDates[oldDates.length] } : {};
}

/** Two changes of one instance's tables as one: the earliest date, a restatement or `full` winning. */
export function mergeRowChanges(a: RowChange, b: RowChange): RowChange {
  if (a.full || b.full) return { full: true };
  const min = (x?: string, y?: string) => (x === undefined ? y : y === undefined ? x : x < y ? x : y);
  const restated = min(a.restated, b.restated);
  if (restated !== undefined) return { restated };
  const since = min(a.since, b.since);
  return since === undefined ? {} : { since };
}
