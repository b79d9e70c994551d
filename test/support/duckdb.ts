import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let connection: Promise<DuckDBConnection> | null = null;

/** One in-memory DuckDB per test file: an independent reader of the parquet artifacts. */
export function duck(): Promise<DuckDBConnection> {
  connection ??= DuckDBInstance.create(':memory:').then((db) => db.connect());
  return connection;
}

/** A parquet file as DuckDB reads it: dates as ISO strings, SQL NULL (our NaN) as null. */
export interface Pq {
  names: string[];
  types: Record<string, string>;
  length: number;
  col: Record<string, (number | null)[]>;
  str: Record<string, string[]>;
}

export async function readPq(file: string): Promise<Pq> {
  const con = await duck();
  const esc = file.replaceAll("'", "''");
  const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${esc}')`)).getRowObjectsJS();
  const names = described.map((r) => String(r.column_name));
  const types = Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const select = names.map((n) => (types[n] === 'DATE' ? `strftime("${n}", '%Y-%m-%d') AS "${n}"` : types[n] === 'DOUBLE' ? `"${n}"` : `CAST("${n}" AS VARCHAR) AS "${n}"`)).join(', ');
  const res = (await con.runAndReadAll(`SELECT ${select} FROM read_parquet('${esc}')`)).getColumnsObjectJS();
  const out: Pq = { names, types, length: 0, col: {}, str: {} };
  for (const n of names) {
    if (types[n] === 'DOUBLE') out.col[n] = res[n] as (number | null)[];
    else out.str[n] = res[n] as string[];
    out.length = res[n].length;
  }
  return out;
}
