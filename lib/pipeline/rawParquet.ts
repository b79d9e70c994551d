import { decodeParquet } from '../io/parquet.js';
import { emptyRecords, type RawRecords } from '../market/data/raw-records.js';

const normalise = (name: string): string => name.trim().toLowerCase().replace(/[\s_]/g, '');

/**
 * A raw parquet file (columns named as in the CSV layouts, any case) to the parser's raw
 * records, so that validation and adjustment are shared with CSV input.
 */
export async function readRawParquetRecords(bytes: Uint8Array, file: string): Promise<RawRecords> {
  const table = await decodeParquet(bytes, file);
  const byName = new Map(Object.entries(table.columns).map(([k, v]) => [normalise(k), v]));
  const need = ['date', 'open', 'high', 'low', 'close', 'volume'];
  const missing = need.filter((c) => !byName.has(c));
  if (missing.length) throw new Error(`${file}: raw parquet lacks column(s) ${missing.join(', ')} (has ${Object.keys(table.columns).join(', ')})`);
  const adj = byName.get('adjclose');
  const rec = emptyRecords(table.length, adj !== undefined);
  const dates = byName.get('date')!;
  for (let i = 0; i < table.length; i++) {
    rec.line[i] = i + 2;
    rec.date[i] = String(dates[i]);
  }
  for (const c of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const col = byName.get(c)!;
    if (Array.isArray(col)) throw new Error(`${file}: column '${c}' is not numeric`);
    rec[c].set(col);
  }
  if (adj && rec.adjClose) {
    if (Array.isArray(adj)) throw new Error(`${file}: column 'adjclose' is not numeric`);
    rec.adjClose.set(adj);
  }
  return rec;
}
