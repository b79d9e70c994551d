import { readFileSync } from 'node:fs';
import { encodeParquet, ParquetFile } from '../../io/parquet.js';
import type { ColumnSpec, Table } from '../../io/table.js';
import { canonicalJson } from '../../io/canonicalJson.js';
import { finiteOrNull } from '../jsonNumbers.js';
import { SWEEP_METRICS, type MetricName } from './variantResults.js';
import type { SweepDiagnostics } from './diagnostics.js';

/** Key of results.parquet's key-value metadata holding the diagnostics (canonical JSON). */
export const DIAGNOSTICS_KEY = 'dag.sweep.diagnostics';

export interface ResultRow {
  variant: string;
  overlay: Record<string, unknown>;
  metrics: Record<MetricName, number>;
}

/** A swept key's column holds numbers when every value is a number, else JSON text. */
function keyColumn(rows: ResultRow[], key: string): { spec: ColumnSpec; data: Float64Array | string[] } {
  const values = rows.map((r) => r.overlay[key]);
  if (values.every((v) => typeof v === 'number')) return { spec: { name: key, kind: 'double' }, data: Float64Array.from(values as number[]) };
  return { spec: { name: key, kind: 'string' }, data: values.map((v) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v))) };
}

/** One row per variant: its id, its overlay values, its metrics. */
export function resultsTable(rows: ResultRow[], keys: string[]): { table: Table; specs: ColumnSpec[] } {
  const specs: ColumnSpec[] = [{ name: 'variant', kind: 'string' }];
  const columns: Table['columns'] = { variant: rows.map((r) => r.variant) };
  for (const k of keys) {
    const c = keyColumn(rows, k);
    specs.push(c.spec);
    columns[k] = c.data;
  }
  for (const m of Object.keys(SWEEP_METRICS) as MetricName[]) {
    specs.push({ name: m, kind: 'double' });
    columns[m] = Float64Array.from(rows, (r) => r.metrics[m]);
  }
  return { table: { length: rows.length, columns }, specs };
}

export function encodeResults(rows: ResultRow[], keys: string[], diagnostics: SweepDiagnostics, where: string): Uint8Array {
  const { table, specs } = resultsTable(rows, keys);
  return encodeParquet(table, specs, where, [{ key: DIAGNOSTICS_KEY, value: canonicalJson(finiteOrNull(diagnostics), 0).trim() }]);
}

/** CSV of the same table: full-precision numbers, empty for undefined, RFC 4180 quoting. */
export function resultsCsv(rows: ResultRow[], keys: string[]): string {
  const { table, specs } = resultsTable(rows, keys);
  const cell = (v: string | number) => {
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  };
  const lines = [specs.map((s) => cell(s.name)).join(',')];
  for (let i = 0; i < table.length; i++) lines.push(specs.map((s) => cell((table.columns[s.name] as ArrayLike<string | number>)[i])).join(','));
  return lines.join('\n') + '\n';
}

/** results.parquet read back: its table, column kinds and diagnostics. */
export async function readResults(file: string): Promise<{ table: Table; kinds: Map<string, string>; diagnostics: SweepDiagnostics | null }> {
  const pf = ParquetFile.open(new Uint8Array(readFileSync(file)), file);
  const kv = pf.metadata.key_value_metadata?.find((e) => e.key === DIAGNOSTICS_KEY)?.value;
  return { table: await pf.read(), kinds: pf.kinds, diagnostics: kv ? (JSON.parse(kv) as SweepDiagnostics) : null };
}
