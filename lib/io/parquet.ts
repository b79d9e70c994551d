import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetMetadata, parquetRead } from 'hyparquet';
import type { ColumnData, ColumnSpec, Table } from './table.js';

const DAY_MS = 86_400_000;

/**
 * Encode a table as parquet bytes. The schema is always explicit because hyparquet-writer infers
 * types and nullability from the data, which would make the bytes depend on the values
 * (STACK-NOTES: explicit schema = byte-deterministic). Codec and row-group size are fixed for
 * the same reason. NaN in a double column is written as null (missing).
 */
export function encodeParquet(table: Table, specs: ColumnSpec[], where: string): Uint8Array {
  const declared = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(table.columns)) {
    if (!declared.has(name)) throw new Error(`${where}: column '${name}' is not in the artifact's schema`);
  }
  const columnData = specs.map((spec) => {
    const col = table.columns[spec.name];
    if (col === undefined) throw new Error(`${where}: column '${spec.name}' is missing`);
    if (col.length !== table.length) {
      throw new Error(`${where}: column '${spec.name}' has ${col.length} rows, expected ${table.length}`);
    }
    // doubles rarely repeat: trying a dictionary for each column only costs time
    return { name: spec.name, data: toParquetValues(col, spec, where), ...(spec.kind === 'double' ? { encoding: 'PLAIN' } : {}) };
  });
  const schema = [
    { name: 'root', num_children: specs.length },
    ...specs.map((spec) => schemaElement(spec)),
  ];
  // Uncompressed, without statistics: the columns are mostly doubles that snappy barely
  // shrinks, and both halve the encode and decode time of the incremental daily runs.
  const buf = parquetWriteBuffer({
    columnData,
    schema,
    codec: 'UNCOMPRESSED',
    rowGroupSize: 100_000,
    statistics: false,
    createdBy: 'dag',
  } as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buf);
}

function schemaElement(spec: ColumnSpec) {
  switch (spec.kind) {
    case 'date':
      return { name: spec.name, type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' };
    case 'string':
      return { name: spec.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' };
    case 'int32':
      return { name: spec.name, type: 'INT32', repetition_type: 'REQUIRED' };
    case 'double':
      return { name: spec.name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
  }
}

function toParquetValues(col: ColumnData, spec: ColumnSpec, where: string): unknown[] {
  switch (spec.kind) {
    case 'date':
      return (col as string[]).map((d, i) => {
        const days = daysFromIso(d);
        if (Number.isNaN(days)) throw new Error(`${where}: column '${spec.name}' row ${i}: '${d}' is not an ISO date`);
        return days;
      });
    case 'string':
      return Array.from(col as string[]);
    case 'int32':
      return Array.from(col as Int32Array);
    case 'double':
      return Array.from(col as Float64Array, (v) => (Number.isNaN(v) ? null : v));
  }
}

function daysFromIso(d: string): number {
  if (d.length !== 10 || d[4] !== '-' || d[7] !== '-') return NaN;
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  const day = Number(d.slice(8, 10));
  const ms = Date.UTC(y, m - 1, day);
  // Date.UTC rolls 2025-02-30 over into March: check the round trip
  return new Date(ms).getUTCDate() === day && m >= 1 && m <= 12 ? ms / DAY_MS : NaN;
}

// ISO strings of day numbers, memoised: a few thousand distinct dates are decoded many times
const isoOfDay = new Map<number, string>();
function isoFromDays(days: number): string {
  let iso = isoOfDay.get(days);
  if (iso === undefined) {
    iso = new Date(days * DAY_MS).toISOString().slice(0, 10);
    isoOfDay.set(days, iso);
  }
  return iso;
}

/**
 * Read a parquet file into a Table (dates -> ISO strings, null -> NaN): every column, or only
 * `only` (plus `date`); asking for a column the file lacks is an error naming it.
 */
export async function decodeParquet(bytes: Uint8Array, where: string, only?: string[]): Promise<Table> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(file);
  } catch (err) {
    throw new Error(`${where}: not a readable parquet file (${(err as Error).message})`);
  }
  const length = Number(metadata.num_rows);
  const kinds = new Map<string, ColumnSpec['kind']>();
  for (const el of metadata.schema.slice(1)) {
    const kind: ColumnSpec['kind'] =
      el.converted_type === 'DATE' ? 'date'
        : el.type === 'BYTE_ARRAY' ? 'string'
          : el.type === 'INT32' ? 'int32'
            : 'double';
    kinds.set(el.name, kind);
  }
  if (only) {
    const wanted = new Set(['date', ...only].filter((c) => kinds.has(c) || only.includes(c)));
    for (const c of wanted) if (!kinds.has(c)) throw new Error(`${where}: no column '${c}' (has ${[...kinds.keys()].join(', ')})`);
    for (const c of [...kinds.keys()]) if (!wanted.has(c)) kinds.delete(c);
  }
  const columns: Record<string, ColumnData> = {};
  for (const [name, kind] of kinds) {
    columns[name] = kind === 'string' || kind === 'date' ? new Array<string>(length) : kind === 'int32' ? new Int32Array(length) : new Float64Array(length);
  }
  await parquetRead({
    file,
    metadata,
    columns: [...kinds.keys()],
    parsers: { dateFromDays: isoFromDays as unknown as (days: number) => Date },
    onChunk: (chunk: { columnName: string; columnData: ArrayLike<unknown>; rowStart: number }) => {
      const kind = kinds.get(chunk.columnName);
      const out = columns[chunk.columnName];
      const data = chunk.columnData;
      const at = chunk.rowStart;
      if (kind === 'date' || kind === 'string') {
        for (let i = 0; i < data.length; i++) (out as string[])[at + i] = data[i] as string;
      } else {
        const o = out as Float64Array;
        for (let i = 0; i < data.length; i++) {
          const v = data[i] as number | null;
          o[at + i] = v === null ? NaN : v;
        }
      }
    },
  });
  return { length, columns };
}
