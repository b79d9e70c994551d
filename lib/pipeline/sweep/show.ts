import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../dag/errors.js';
import type { SweepDiagnostics } from './diagnostics.js';
import { readResults } from './resultsTable.js';
import { SWEEP_METRICS } from './variantResults.js';

/** Columns where smaller is better; every other column sorts largest first. */
const ASCENDING = new Set(['volatility', 'turnover']);
const PERCENT = new Set(['total_return', 'cagr', 'volatility', 'max_drawdown', 'turnover']);

/** The diagnostics in words (sweep show, the report, the end of dag sweep). */
export function diagnosticsLines(d: SweepDiagnostics | null): string[] {
  if (!d) return ['no diagnostics recorded'];
  if (!d.dsr || !d.pbo) return [`overfitting diagnostics: ${d.note ?? 'not computed'}`];
  return [
    `Deflated Sharpe Ratio of the best variant (${d.dsr.variant}): ${d.dsr.dsr.toFixed(3)} (daily Sharpe ${d.dsr.sharpe.toFixed(4)} vs ${d.dsr.sharpe0.toFixed(4)} expected from the best of ${d.dsr.trials} skill-less trials; ${d.dsr.t} days, skewness ${d.dsr.skew.toFixed(2)}, kurtosis ${d.dsr.kurt.toFixed(2)})`,
    `Probability of Backtest Overfitting (CSCV, ${d.pbo.splits} splits, ${d.pbo.combinations} combinations over ${d.pbo.rows} days): ${d.pbo.pbo.toFixed(3)}`,
  ];
}

/** `dag sweep show`: the results table (sorted on request) and the diagnostics, as text or JSON. */
export async function showResults(dir: string, opts: { sort?: string; json?: boolean }): Promise<string> {
  const file = join(dir, 'results.parquet');
  if (!existsSync(file)) throw new UserError(`${file} not found: run the sweep first (dag sweep ... --name <name>)`);
  const { table, diagnostics } = await readResults(file);
  const columns = Object.keys(table.columns);
  const order = Array.from({ length: table.length }, (_, i) => i);
  if (opts.sort !== undefined) {
    if (!columns.includes(opts.sort)) throw new UserError(`--sort ${opts.sort}: not a column of ${file} (columns: ${columns.join(', ')})`);
    const col = table.columns[opts.sort] as ArrayLike<number | string>;
    const sign = ASCENDING.has(opts.sort) ? 1 : -1;
    const key = (i: number) => col[i];
    order.sort((a, b) => {
      const x = key(a), y = key(b);
      if (typeof x === 'number' && typeof y === 'number') {
        if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
        return sign * (x - y) || a - b;
      }
      return sign * String(x).localeCompare(String(y)) || a - b;
    });
  }
  const rows = order.map((i) => Object.fromEntries(columns.map((c) => {
    const v = (table.columns[c] as ArrayLike<number | string>)[i];
    return [c, typeof v === 'number' && !Number.isFinite(v) ? null : v];
  })));
  if (opts.json) return JSON.stringify({ columns, rows, diagnostics });
  const cell = (c: string, v: unknown) => {
    if (typeof v !== 'number') return v === null ? 'n/a' : String(v);
    if (!(c in SWEEP_METRICS)) return String(v);
    return PERCENT.has(c) ? `${(v * 100).toFixed(2)}%` : v.toFixed(3);
  };
  const text = [columns, ...rows.map((r) => columns.map((c) => cell(c, r[c])))];
  const widths = columns.map((_, j) => Math.max(...text.map((row) => row[j].length)));
  const lines = text.map((row) => row.map((s, j) => (j === 0 ? s.padEnd(widths[j]) : s.padStart(widths[j]))).join('  '));
  return [...lines, '', ...diagnosticsLines(diagnostics)].join('\n');
}
