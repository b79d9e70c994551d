/**
 * Helpers for the layer 4-6 pipeline tests (test/pipeline/layers4to6.test.ts, l46-*.test.ts):
 * parquet artifacts read back through DuckDB, an independent reader of what the pipeline wrote.
 */
import { duck as connect } from '../support/duckdb.js';
import { mulberry32 } from '../support/random.js';

const quote = (path: string) => `'${path.replace(/'/g, "''")}'`;

/** A parquet file as columns (DuckDB's reading); dates as YYYY-MM-DD strings, nulls as null. */
export async function readParquet(path: string): Promise<{ names: string[]; columns: Record<string, unknown[]>; length: number }> {
  const c = await connect();
  const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quote(path)})`);
  const names = described.getRowObjectsJS().map((r) => String(r.column_name));
  const select = names.map((n) => (n === 'date' ? `CAST("date" AS VARCHAR) AS "date"` : `"${n}"`)).join(', ');
  const reader = await c.runAndReadAll(`SELECT ${select} FROM read_parquet(${quote(path)})`);
  const cols = reader.getColumnsJS();
  const columns: Record<string, unknown[]> = {};
  names.forEach((n, j) => (columns[n] = cols[j].map((v) => (typeof v === 'bigint' ? Number(v) : v))));
  return { names, columns, length: cols[0]?.length ?? 0 };
}

/** A numeric column with nulls as NaN. */
export function numbers(col: unknown[]): Float64Array {
  return Float64Array.from(col, (v) => (v === null || v === undefined ? NaN : Number(v)));
}

/** All permutations of 0..k-1 (k! of them). */
export function permutations(k: number): number[][] {
  if (k === 0) return [[]];
  return permutations(k - 1).flatMap((p) => Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)]));
}

/** A deterministic uniform [0, 1) stream, independent of the project's RNG. */
export const uniform = mulberry32;
