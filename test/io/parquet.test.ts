import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeParquet, encodeParquet, ParquetFile, ROW_GROUP_ROWS, spliceParquet } from '../../lib/io/parquet.js';
import { sliceTable, type ColumnSpec, type Table } from '../../lib/io/table.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { duck } from '../support/duckdb.js';
import { mulberry32 } from '../support/random.js';

const SCHEMA: ColumnSpec[] = [
  { name: 'date', kind: 'date' },
  { name: 'side', kind: 'string' },
  { name: 'n', kind: 'int32' },
  { name: 'x', kind: 'double' },
  { name: 'y', kind: 'double' },
];

/** `rows` business-ish days from 2001-01-01 with random values, about one x in eight missing. */
function table(rows: number, seed = 1): Table {
  const rnd = mulberry32(seed);
  const date: string[] = [];
  for (let d = Date.UTC(2001, 0, 1); date.length < rows; d += 86_400_000) {
    if (new Date(d).getUTCDay() % 6 !== 0) date.push(new Date(d).toISOString().slice(0, 10));
  }
  return {
    length: rows,
    columns: {
      date,
      side: date.map(() => (rnd() < 0.5 ? 'buy' : 'sell')),
      n: Int32Array.from(date, () => Math.floor(rnd() * 1000) - 500),
      x: Float64Array.from(date, () => (rnd() < 0.125 ? NaN : rnd() * 2 - 1)),
      y: Float64Array.from(date, () => rnd() * 1e6),
    },
  };
}

const G = ROW_GROUP_ROWS;

describe('parquet row groups: splice and range reads', () => {
  const full = table(3 * G + 37);
  const whole = encodeParquet(full, SCHEMA, 'full');

  test('a spliced file has the bytes of a full write of the same rows', async () => {
    // old files ending inside, on and just after a row-group boundary; cuts in kept groups, on
    // boundaries and at the very end
    const olds = [3 * G + 36, 3 * G + 1, 3 * G, 2 * G + 5, G - 1];
    let checked = 0;
    for (const oldRows of olds) {
      const old = ParquetFile.open(encodeParquet(sliceTable(full, 0, oldRows), SCHEMA, 'old'), 'old');
      for (const keep of new Set([oldRows, oldRows - 1, 2 * G, 2 * G - 1, G + 1, G, 3, 0])) {
        if (keep < 0 || keep > oldRows) continue;
        const spliced = await spliceParquet(old, keep, sliceTable(full, keep), SCHEMA, 'spliced');
        expect(Buffer.from(spliced).equals(Buffer.from(whole))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });

  test('the kept rows are copied as they are, not taken from the new table', async () => {
    const old = ParquetFile.open(encodeParquet(sliceTable(full, 0, 2 * G + 10), SCHEMA, 'old'), 'old');
    const other = table(3 * G + 37, 99); // different values on every row
    const spliced = await spliceParquet(old, 2 * G + 3, sliceTable(other, 2 * G + 3), SCHEMA, 'spliced');
    const back = await decodeParquet(spliced, 'spliced');
    expect(back.length).toBe(3 * G + 37);
    expect(Array.from((back.columns.y as Float64Array).subarray(0, 2 * G + 3))).toEqual(Array.from((full.columns.y as Float64Array).subarray(0, 2 * G + 3)));
    expect(Array.from((back.columns.y as Float64Array).subarray(2 * G + 3))).toEqual(Array.from((other.columns.y as Float64Array).subarray(2 * G + 3)));
  });

  test('DuckDB reads a spliced file row for row as the source table', async () => {
    const old = ParquetFile.open(encodeParquet(sliceTable(full, 0, 2 * G + 10), SCHEMA, 'old'), 'old');
    const spliced = await spliceParquet(old, G + 7, sliceTable(full, G + 7), SCHEMA, 'spliced');
    const file = join(mkdtempSync(join(tmpdir(), 'dag-parquet-')), 'spliced.parquet');
    writeFileSync(file, spliced);
    const con = await duck();
    const res = (await con.runAndReadAll(`SELECT strftime("date", '%Y-%m-%d') AS d, side, n, x, y FROM read_parquet('${file}')`)).getColumnsObjectJS();
    expect(res.d).toEqual(full.columns.date);
    expect(res.side).toEqual(full.columns.side);
    expect(res.n).toEqual(Array.from(full.columns.n as Int32Array));
    expect(res.x).toEqual(Array.from(full.columns.x as Float64Array, (v) => (Number.isNaN(v) ? null : v)));
    expect(res.y).toEqual(Array.from(full.columns.y as Float64Array));
    const groups = (await con.runAndReadAll(`SELECT DISTINCT row_group_id FROM parquet_metadata('${file}')`)).getRowObjectsJS();
    expect(groups.length).toBe(4);
  });

  test('a file of another layout is re-encoded in full, to the same bytes; a missing column is an error naming it', async () => {
    const two: ColumnSpec[] = [{ name: 'date', kind: 'date' }, { name: 'y', kind: 'double' }];
    const rows = { length: full.length, columns: { date: full.columns.date, y: full.columns.y } };
    // one row group of all rows, as an older writer setting made them
    const days = (full.columns.date as string[]).map((d) => Date.parse(`${d}T00:00:00Z`) / 86_400_000);
    const oneGroup = ParquetFile.open(new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'date', data: days }, { name: 'y', data: Array.from(full.columns.y as Float64Array) }],
      schema: [{ name: 'root', num_children: 2 }, { name: 'date', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' }, { name: 'y', type: 'DOUBLE', repetition_type: 'OPTIONAL' }],
      rowGroupSize: 100_000,
    })), 'old');
    expect(oneGroup.metadata.row_groups.length).toBe(1);
    const fromOne = await spliceParquet(oneGroup, 2 * G, sliceTable(rows, 2 * G), two, 'spliced');
    expect(Buffer.from(fromOne).equals(Buffer.from(encodeParquet(rows, two, 'x')))).toBe(true);
    // the same columns in another order
    const swapped: ColumnSpec[] = [{ name: 'y', kind: 'double' }, { name: 'date', kind: 'date' }];
    const bigOld = ParquetFile.open(encodeParquet(rows, two, 'big'), 'big');
    const spliced = await spliceParquet(bigOld, 2 * G, sliceTable(rows, 2 * G), swapped, 'swapped');
    expect(Buffer.from(spliced).equals(Buffer.from(encodeParquet(rows, swapped, 'x')))).toBe(true);
    await expect(spliceParquet(bigOld, 2 * G, sliceTable(full, 2 * G), SCHEMA, 'spliced')).rejects.toThrow("spliced: the existing file has no column 'side'");
  });

  test('a row range decodes the same rows as slicing a full decode', async () => {
    const file = ParquetFile.open(whole, 'whole');
    const all = await file.read();
    for (const [from, to] of [[0, 1], [G - 1, G + 1], [G, 2 * G], [2 * G + 5, 3 * G + 37], [3 * G + 36, 3 * G + 37], [7, 7]]) {
      const part = await file.read(undefined, from, to);
      const expected = sliceTable(all, from, to);
      expect(part.length).toBe(to - from);
      for (const name of Object.keys(expected.columns)) expect(Array.from(part.columns[name] as ArrayLike<unknown>)).toEqual(Array.from(expected.columns[name] as ArrayLike<unknown>));
    }
    expect(await file.firstRowFrom(full.columns.date[G + 3] as string)).toBe(G + 3);
    expect(await file.firstRowFrom('1999-01-01')).toBe(0);
    expect(await file.firstRowFrom('2099-01-01')).toBe(full.length);
  });
});
