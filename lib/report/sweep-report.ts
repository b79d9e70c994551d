/**
 * Self-contained HTML comparison report of a parameter sweep: charts rendered server-side to
 * SVG and inlined as in the tearsheet, plus one small inline script (allowed by its hash in the
 * CSP, nothing else may run or load) that sorts the results table. Same input, same bytes.
 */
import { createHash } from 'node:crypto';
import { renderSvg, type ChartOption } from './svg.js';
import { equityCurvesChart, heatmapChart, riskReturnChart, valueLabel, type Curve, type SweepPoint } from './sweep-charts.js';

export interface SweepReportInput {
  name: string;
  target: string;
  keys: string[];
  points: SweepPoint[];
  /** Metric columns in display order, with their format. */
  metrics: [string, 'pct' | 'ratio'][];
  /** Top variants' equity, then the benchmark's (already chosen and ordered). */
  curves: Curve[];
  heatmap: { x: string; y: string; metric: string } | null;
  /** Lines of the overfitting diagnostics, already worded. */
  diagnostics: string[];
}

const WIDTH = 960;

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const SORT_SCRIPT = `for (const th of document.querySelectorAll('table.results th')) {
  th.addEventListener('click', () => {
    const table = th.closest('table');
    const body = table.tBodies[0];
    const col = th.cellIndex;
    const down = th.dataset.dir !== 'desc';
    for (const other of table.querySelectorAll('th')) delete other.dataset.dir;
    th.dataset.dir = down ? 'desc' : 'asc';
    const key = (tr) => { const v = tr.cells[col].dataset.v; const n = Number(v); return v !== '' && !Number.isNaN(n) ? n : v; };
    const rows = [...body.rows].sort((a, b) => { const x = key(a), y = key(b); const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)); return down ? -c : c; });
    for (const r of rows) body.appendChild(r);
  });
}`;

const CSS = `body{font-family:sans-serif;margin:24px auto;max-width:${WIDTH + 40}px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
figure.chart{margin:12px 0}figure.chart svg{display:block}
table.results{border-collapse:collapse;font-size:12px}
table.results th{cursor:pointer;text-align:right;padding:3px 8px;border-bottom:1px solid #999;white-space:nowrap}
table.results th[data-dir=desc]::after{content:' \\25BC'}table.results th[data-dir=asc]::after{content:' \\25B2'}
table.results td{text-align:right;padding:2px 8px;font-variant-numeric:tabular-nums}
table.results td:first-child,table.results th:first-child{text-align:left;font-family:monospace}
ul.diagnostics{font-size:13px}`;

function format(v: number, f: 'pct' | 'ratio'): string {
  if (!Number.isFinite(v)) return 'n/a';
  return f === 'pct' ? `${(v * 100).toFixed(2)}%` : v.toFixed(3);
}

function resultsTable(input: SweepReportInput): string {
  const head = ['variant', ...input.keys, ...input.metrics.map(([m]) => m)].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = input.points.map((p) => {
    const keys = input.keys.map((k) => {
      const v = p.overlay[k];
      return `<td data-v="${escapeHtml(typeof v === 'number' ? String(v) : valueLabel(v))}">${escapeHtml(valueLabel(v))}</td>`;
    });
    const metrics = input.metrics.map(([m, f]) => `<td data-v="${Number.isFinite(p.metrics[m]) ? p.metrics[m] : ''}">${format(p.metrics[m], f)}</td>`);
    return `<tr><td data-v="${escapeHtml(p.variant)}">${escapeHtml(p.variant)}</td>${keys.join('')}${metrics.join('')}</tr>`;
  });
  return `<table class="results">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function figure(id: string, option: ChartOption, height: number): string {
  return `<figure class="chart" id="${id}">\n${renderSvg(option, WIDTH, height, id)}\n</figure>`;
}

export function renderSweepReport(input: SweepReportInput): string {
  if (input.points.length === 0) throw new Error('renderSweepReport: no variants');
  const script = `\n${SORT_SCRIPT}\n`;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const name = escapeHtml(input.name);
  const heat = input.heatmap;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'">`,
    `<title>${name} - sweep comparison</title>`,
    `<style>\n${CSS}\n</style>`,
    '</head>',
    '<body>',
    `<h1>Sweep ${name}</h1>`,
    `<p>${input.points.length} variants of ${escapeHtml(input.target)} over ${input.keys.map(escapeHtml).join(', ')}. Click a column to sort.</p>`,
    '<h2>Overfitting diagnostics</h2>',
    `<ul class="diagnostics">\n${input.diagnostics.map((d) => `<li>${escapeHtml(d)}</li>`).join('\n')}\n</ul>`,
    '<h2>Results</h2>',
    resultsTable(input),
    heat ? `<h2>${escapeHtml(heat.metric)} over two swept keys</h2>\n${figure('chart-heatmap', heatmapChart(input.points, heat.x, heat.y, heat.metric), 120 + 40 * new Set(input.points.map((p) => valueLabel(p.overlay[heat.y]))).size)}` : '<p>(the heatmap needs two swept keys)</p>',
    '<h2>Equity curves</h2>',
    figure('chart-equity-top', equityCurvesChart(input.curves), 360),
    '<h2>Risk and return</h2>',
    figure('chart-risk-return', riskReturnChart(input.points), 360),
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
