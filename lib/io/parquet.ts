import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { parquetMetadata, parquetRead, type FileMetaData, type RowGroup } from 'hyparquet';
import { concatTables, lowerBound, stringColumn, type ColumnData, type ColumnSpec, type Table } from './table.js';

const DAY_MS = 86_400_000;

/**
 * Rows per row group. Fixed, so a file's bytes depend only on its rows; small, so a daily
 * update re-encodes only the last group or two (`spliceParquet`) and a reader of the last
 * rows decodes only the groups holding them.
 */
export const ROW_GROUP_ROWS = 1024;

/**
 * Encode a table as parquet bytes. The schema is always explicit because hyparquet-writer infers
 * types and nullability from the data, which would make the bytes depend on the values
 * (STACK-NOTES: explicit schema = byte-deterministic). Codec and row-group size are fixed for
 * the same reason. NaN in a double column is written as null (missing).
 */
export function encodeParquet(table: Table, specs: ColumnSpec[], where: string, kvMetadata?: { key: string; value: string }[]): Uint8Array {
  const writer = new ByteWriter();
  const pw = newWriter(writer, specs, kvMetadata);
  pw.write({ columnData: columnSources(table, specs, where), rowGroupSize: ROW_GROUP_ROWS });
  pw.finish();
  return writer.getBytes();
}

/**
 * The bytes `encodeParquet` gives for the first `keepRows` rows of `old` followed by `tail`,
 * without re-encoding the row groups that stay whole: their bytes and footer entries are copied
 * (parquet files cannot be appended to, but a file cut after a row group can be continued).
 * A file of another layout (column order or types, row-group size) is re-encoded in full; one
 * that lacks a column of `specs` is an error.
 */
export async function spliceParquet(old: ParquetFile, keepRows: number, tail: Table, specs: ColumnSpec[], where: string): Promise<Uint8Array> {
  if (keepRows > old.length) throw new Error(`${where}: cannot keep ${keepRows} rows of a file with ${old.length}`);
  const missing = specs.find((s) => !old.kinds.has(s.name));
  if (missing && keepRows > 0) throw new Error(`${where}: the existing file has no column '${missing.name}' to keep rows of (run the full target)`);
  const groups = old.metadata.row_groups;
  const sameLayout = sameSchema(old, specs) && groups.every((g, i) => (i === groups.length - 1 ? Number(g.num_rows) <= ROW_GROUP_ROWS : Number(g.num_rows) === ROW_GROUP_ROWS));
  const whole = sameLayout ? Math.floor(keepRows / ROW_GROUP_ROWS) : 0;
  const rest = await old.read(undefined, whole * ROW_GROUP_ROWS, keepRows);
  const table = concatTables([pick(rest, specs), pick(tail, specs)]);
  if (whole === 0) return encodeParquet(table, specs, where);
  const cut = whole < groups.length ? groupStart(groups[whole]) : old.dataEnd;
  const writer = new ByteWriter();
  const pw = newWriter(writer, specs);
  writer.appendBytes(old.bytes.subarray(4, cut)); // the writer has written the 4-byte magic
  // the footer entries of the kept groups, as read (hyparquet-writer types them from its own
  // copy of hyparquet; the objects are the same)
  pw.row_groups = groups.slice(0, whole) as unknown as ParquetWriter['row_groups'];
  pw.num_rows = BigInt(whole * ROW_GROUP_ROWS);
  pw.write({ columnData: columnSources(table, specs, where), rowGroupSize: ROW_GROUP_ROWS });
  pw.finish();
  return writer.getBytes();
}

function newWriter(writer: ByteWriter, specs: ColumnSpec[], kvMetadata?: { key: string; value: string }[]): ParquetWriter {
  // Uncompressed, without statistics: the columns are mostly doubles that snappy barely
  // shrinks, and both halve the encode and decode time of the incremental daily runs.
  return new ParquetWriter({
    writer,
    schema: [{ name: 'root', num_children: specs.length }, ...specs.map((spec) => schemaElement(spec))],
    codec: 'UNCOMPRESSED',
    statistics: false,
    createdBy: 'dag',
    ...(kvMetadata ? { kvMetadata } : {}),
  } as ConstructorParameters<typeof ParquetWriter>[0]);
}

function columnSources(table: Table, specs: ColumnSpec[], where: string) {
  const declared = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(table.columns)) {
    if (!declared.has(name)) throw new Error(`${where}: column '${name}' is not in the artifact's schema`);
  }
  return specs.map((spec) => {
    const col = table.columns[spec.name];
    if (col === undefined) throw new Error(`${where}: column '${spec.name}' is missing`);
    if (col.length !== table.length) {
      throw new Error(`${where}: column '${spec.name}' has ${col.length} rows, expected ${table.length}`);
    }
    // doubles rarely repeat: trying a dictionary for each column only costs time. No offset
    // index: it sits after the last row group, where spliceParquet cuts.
    return { name: spec.name, data: toParquetValues(col, spec, where), offsetIndex: false, ...(spec.kind === 'double' ? { encoding: 'PLAIN' as const } : {}) };
  });
}

function pick(table: Table, specs: ColumnSpec[]): Table {
  return { length: table.length, columns: Object.fromEntries(specs.map((s) => [s.name, table.columns[s.name]])) };
}

function sameSchema(file: ParquetFile, specs: ColumnSpec[]): boolean {
  const kinds = [...file.kinds];
  return kinds.length === specs.length && specs.every((s, i) => kinds[i][0] === s.name && kinds[i][1] === s.kind);
}

/** Byte offset where a row group's first column chunk begins. */
function groupStart(group: RowGroup): number {
  const first = group.columns[0].meta_data!;
  return Number(first.dictionary_page_offset ?? first.data_page_offset);
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
  const out = new Array<unknown>(col.length);
  switch (spec.kind) {
    case 'date':
      for (let i = 0; i < col.length; i++) {
        const days = dayOfIso(col[i] as string);
        if (Number.isNaN(days)) throw new Error(`${where}: column '${spec.name}' row ${i}: '${col[i]}' is not an ISO date`);
        out[i] = days;
      }
      return out;
    case 'string':
    case 'int32':
      for (let i = 0; i < col.length; i++) out[i] = col[i];
      return out;
    case 'double':
      for (let i = 0; i < col.length; i++) {
        const v = col[i] as number;
        out[i] = Number.isNaN(v) ? null : v;
      }
      return out;
  }
}

// day numbers of ISO strings, memoised: the same few thousand dates are encoded again and again
const dayOfIsoMemo = new Map<string, number>();
function dayOfIso(d: string): number {
  let days = dayOfIsoMemo.get(d);
  if (days === undefined) {
    days = daysFromIso(d);
    if (!Number.isNaN(days)) dayOfIsoMemo.set(d, days);
  }
  return days;
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
  return ParquetFile.open(bytes, where).read(only);
}

/** A parquet file's footer, read once, and reads of any columns over any row range. */
export class ParquetFile {
  /** Column name -> kind, in file order. */
  readonly kinds = new Map<string, ColumnSpec['kind']>();
  readonly length: number;
  private constructor(
    readonly bytes: Uint8Array,
    private readonly file: ArrayBuffer,
    readonly where: string,
    readonly metadata: FileMetaData,
  ) {
    this.length = Number(metadata.num_rows);
    for (const el of metadata.schema.slice(1)) {
      const kind: ColumnSpec['kind'] =
        el.converted_type === 'DATE' ? 'date'
          : el.type === 'BYTE_ARRAY' ? 'string'
            : el.type === 'INT32' ? 'int32'
              : 'double';
      this.kinds.set(el.name, kind);
    }
  }

  static open(bytes: Uint8Array, where: string): ParquetFile {
    // hyparquet reads an ArrayBuffer: copy only when the bytes are a view into a larger one
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const file = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
    let metadata: FileMetaData;
    try {
      metadata = parquetMetadata(file);
    } catch (err) {
      throw new Error(`${where}: not a readable parquet file (${(err as Error).message})`);
    }
    return new ParquetFile(bytes, file, where, metadata);
  }

  /** Where the row groups end and the footer begins. */
  get dataEnd(): number {
    return this.bytes.byteLength - 8 - Number(this.metadata.metadata_length);
  }

  /** Index of the first row dated on or after `date` (the file's rows ascend by date). */
  async firstRowFrom(date: string): Promise<number> {
    return lowerBound(stringColumn(await this.read(['date']), 'date', this.where), date);
  }

  /** Rows [rowStart, rowEnd) of every column, or of `only` (plus `date`). */
  async read(only?: string[], rowStart = 0, rowEnd = this.length): Promise<Table> {
    const { where } = this;
    const kinds = new Map(this.kinds);
    if (only) {
      const wanted = new Set(['date', ...only].filter((c) => kinds.has(c) || only.includes(c)));
      for (const c of wanted) if (!kinds.has(c)) throw new Error(`${where}: no column '${c}' (has ${[...kinds.keys()].join(', ')})`);
      for (const c of [...kinds.keys()]) if (!wanted.has(c)) kinds.delete(c);
    }
    const length = Math.max(0, rowEnd - rowStart);
    const columns: Record<string, ColumnData> = {};
    for (const [name, kind] of kinds) {
      columns[name] = kind === 'string' || kind === 'date' ? new Array<string>(length) : kind === 'int32' ? new Int32Array(length) : new Float64Array(length);
    }
    if (length === 0) return { length, columns };
    await parquetRead({
      file: this.file,
      metadata: this.metadata,
      columns: [...kinds.keys()],
      rowStart,
      rowEnd,
      parsers: { dateFromDays: isoFromDays as unknown as (days: number) => Date },
      // a chunk is a whole row group (or page): keep only its rows inside [rowStart, rowEnd)
      onChunk: (chunk: { columnName: string; columnData: ArrayLike<unknown>; rowStart: number }) => {
        const kind = kinds.get(chunk.columnName);
        const out = columns[chunk.columnName];
        const data = chunk.columnData;
        const from = Math.max(0, rowStart - chunk.rowStart);
        const to = Math.min(data.length, rowEnd - chunk.rowStart);
        const at = chunk.rowStart - rowStart;
        if (kind === 'date' || kind === 'string') {
          for (let i = from; i < to; i++) (out as string[])[at + i] = data[i] as string;
        } else {
          const o = out as Float64Array;
          for (let i = from; i < to; i++) {
            const v = data[i] as number | null;
            o[at + i] = v === null ? NaN : v;
          }
        }
      },
    });
    return { length, columns };
  }
}
