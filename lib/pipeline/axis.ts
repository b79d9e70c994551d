/** Sorted union of several ascending ISO date columns: the portfolio's date axis. */
export function unionDates(columns: string[][]): string[] {
  const all = new Set<string>();
  for (const col of columns) for (const d of col) all.add(d);
  return [...all].sort();
}
