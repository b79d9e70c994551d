import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sweepOptions } from './options.js';
import type { SweepHooks } from '../../dag/sweep/commands.js';
import { UserError } from '../../dag/errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { benchmarkEquity } from '../../report/series.js';
import { renderSweepReport } from '../../report/sweep-report.js';
import { readVariantResults, SWEEP_METRICS, type MetricName, type VariantResults } from './variantResults.js';
import { sweepDiagnostics, type SweepDiagnostics } from './diagnostics.js';
import { encodeResults, resultsCsv, type ResultRow } from './resultsTable.js';
import { diagnosticsLines, showResults } from './show.js';

const TOP_CURVES = 5;
const METRIC_FORMATS: [MetricName, 'pct' | 'ratio'][] = [
  ['total_return', 'pct'], ['cagr', 'pct'], ['volatility', 'pct'], ['sharpe', 'ratio'], ['sortino', 'ratio'], ['max_drawdown', 'pct'], ['calmar', 'ratio'], ['turnover', 'pct'],
];

/**
 * The pipeline's part of `dag sweep`: after the variants ran, results.parquet (with the
 * diagnostics in its metadata), results.csv and report.html in the sweep's folder.
 */
export const pipelineSweepHooks: SweepHooks = {
  options: sweepOptions,
  afterSweep: async (main, sweep, variants, opts, log) => {
    if (!variants.every((v) => v.project.plan.instances.has('backtest') && v.ids.includes('backtest'))) {
      log(`sweep ${sweep.name}: ${sweep.target} does not include the backtest, so there are no results to compare`);
      return;
    }
    const results: VariantResults[] = [];
    for (const v of variants) results.push(await readVariantResults(v.project, v.id));
    const rows: ResultRow[] = variants.map((v, i) => ({ variant: v.id, overlay: v.overlay, metrics: results[i].metrics }));
    let diagnostics: SweepDiagnostics;
    try {
      diagnostics = sweepDiagnostics(variants.map((v) => v.id), results.map((r) => r.pnl), opts.splits as number);
    } catch (err) {
      if (err instanceof RangeError) throw new UserError(`sweep ${sweep.name}: ${err.message} (try fewer --splits)`);
      throw err;
    }
    const dir = join(main.workdir, sweep.dir);
    mkdirSync(dir, { recursive: true });
    const parquetFile = join(dir, 'results.parquet');
    const ranked = rows.map((r, i) => ({ r, i })).sort((a, b) => (b.r.metrics.sharpe || -Infinity) - (a.r.metrics.sharpe || -Infinity) || a.i - b.i).slice(0, TOP_CURVES);
    const first = results[ranked[0].i].pnl;
    const curves = [
      ...ranked.map(({ r, i }) => ({ name: r.variant, dates: results[i].pnl.date, equity: results[i].pnl.equity })),
      ...(first.benchmark_return.some((x, t) => t > 0 && Number.isFinite(x)) ? [{ name: 'Benchmark', dates: first.date, equity: benchmarkEquity(first) }] : []),
    ];
    const numericKeys = sweep.keys.filter((k) => new Set(rows.map((r) => JSON.stringify(r.overlay[k]))).size > 1);
    const html = renderSweepReport({
      name: sweep.name,
      target: sweep.target,
      keys: sweep.keys,
      points: rows,
      metrics: METRIC_FORMATS,
      curves,
      heatmap: numericKeys.length >= 2 ? { x: numericKeys[0], y: numericKeys[1], metric: opts.heatmap as string } : null,
      diagnostics: diagnosticsLines(diagnostics),
    });
    // everything is encoded before the first file is written: a failure leaves no partial set
    const files: [string, Uint8Array | string][] = [
      [parquetFile, encodeResults(rows, sweep.keys, diagnostics, parquetFile)],
      [join(dir, 'results.csv'), resultsCsv(rows, sweep.keys)],
      [join(dir, 'report.html'), html],
    ];
    for (const [file, data] of files) writeFileAtomic(file, data);
    for (const l of diagnosticsLines(diagnostics)) log(l);
    log(`results: ${join(sweep.dir, 'results.parquet')}, ${join(sweep.dir, 'results.csv')}, report: ${join(sweep.dir, 'report.html')}`);
    return { diagnostics };
  },
  show: (_main, dir, opts) => showResults(dir, opts),
};
