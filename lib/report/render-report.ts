/**
 * Self-contained HTML tearsheet of one backtest. Charts are rendered server-side to SVG and
 * inlined, so the file needs no script and no network (a CSP meta tag forbids both). The output
 * is a function of the input only: same input, same bytes (no timestamps, fixed chart order,
 * stable SVG ids).
 */
import type { Attribution } from '../market/backtest/attribution.js';
import type { PnlColumns } from '../market/backtest/columns.js';
import type { Summary } from '../market/backtest/summary.js';
import { attributionBars, drawdownChart, equityChart, exposureChart, monthlyHeatmap, regimeColors, rollingSharpeChart } from './charts.js';
import type { ChartOption } from './svg.js';
import { renderSvg } from './svg.js';

export interface ReportInput {
  /** summary.json: the engine's Summary plus the backtest node's universe changes. */
  summary: Summary & { entered_late?: Record<string, string>; left_early?: Record<string, string>; late?: Record<string, string> };
  pnl: PnlColumns;
  attribution: Attribution;
  strategyName: string;
}

const WIDTH = 960;
const ROLLING_WINDOW = 63;

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

type Format = 'pct' | 'ratio' | 'int' | 'money' | 'text';
const ROWS: [keyof Summary, string, Format][] = [
  ['start_date', 'Start', 'text'],
  ['end_date', 'End', 'text'],
  ['n_days', 'Trading days', 'int'],
  ['initial_equity', 'Initial equity', 'money'],
  ['final_equity', 'Final equity', 'money'],
  ['total_return', 'Total return', 'pct'],
  ['cagr', 'CAGR', 'pct'],
  ['volatility', 'Volatility (ann.)', 'pct'],
  ['sharpe', 'Sharpe', 'ratio'],
  ['sortino', 'Sortino', 'ratio'],
  ['max_drawdown', 'Max drawdown', 'pct'],
  ['max_drawdown_duration', 'Longest drawdown (days)', 'int'],
  ['calmar', 'Calmar', 'ratio'],
  ['win_rate', 'Win rate (days)', 'pct'],
  ['round_trips', 'Round trips', 'int'],
  ['profitable_round_trips', 'Profitable round trips', 'pct'],
  ['avg_turnover', 'Average daily turnover', 'pct'],
  ['avg_gross_exposure', 'Average gross exposure', 'pct'],
  ['benchmark_total_return', 'Benchmark total return', 'pct'],
  ['beta', 'Beta', 'ratio'],
  ['alpha', 'Alpha (ann.)', 'pct'],
];

function formatValue(v: unknown, f: Format): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'n/a';
  switch (f) {
    case 'pct': return `${(v * 100).toFixed(2)}%`;
    case 'ratio': return v.toFixed(2);
    case 'int': return String(Math.round(v));
    case 'money': return v.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    default: return escapeHtml(String(v));
  }
}

function summaryTable(summary: Summary): string {
  const rows = ROWS.map(([key, label, f]) => `<tr><th>${escapeHtml(label)}</th><td>${formatValue(summary[key], f)}</td></tr>`);
  return `<table class="summary">\n${rows.join('\n')}\n</table>`;
}

function figure(id: string, option: ChartOption, height: number, caption = ''): string {
  const svg = renderSvg(option, WIDTH, height, id);
  return `<figure class="chart" id="${id}">\n${svg}\n${caption}</figure>`;
}

function regimeLegend(pnl: PnlColumns): string {
  const items = [...regimeColors(pnl)].map(
    ([label, color]) => `<span class="swatch" style="background:${color}"></span>${escapeHtml(label)}`,
  );
  return items.length === 0 ? '' : `<figcaption>Shaded by regime: ${items.join(' ')}</figcaption>\n`;
}

const CSS = `body{font-family:sans-serif;margin:24px auto;max-width:${WIDTH + 40}px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
figure.chart{margin:12px 0}figure.chart svg{display:block}
figcaption{font-size:12px;color:#555}
.swatch{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;border:1px solid #999;vertical-align:middle}
table.summary{border-collapse:collapse;font-size:13px}
table.summary th{text-align:left;font-weight:normal;padding:3px 18px 3px 0;color:#555}
table.summary td{text-align:right;padding:3px 0;font-variant-numeric:tabular-nums}`;

/** The tearsheet as one HTML string. */
export function renderReport({ summary, pnl, attribution, strategyName }: ReportInput): string {
  if (pnl.date.length === 0) throw new Error('renderReport: pnl has no rows');
  const name = escapeHtml(strategyName);
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${name} - backtest tearsheet</title>`,
    `<style>\n${CSS}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${name}</h1>`,
    `<p>${escapeHtml(summary.start_date)} to ${escapeHtml(summary.end_date)}</p>`,
    ...universeNote(summary),
    '<h2>Summary</h2>',
    summaryTable(summary),
    '<h2>Performance</h2>',
    figure('chart-equity', equityChart(pnl), 340, regimeLegend(pnl)),
    figure('chart-drawdown', drawdownChart(pnl), 220),
    figure('chart-monthly', monthlyHeatmap(pnl), 110 + 32 * new Set(pnl.date.slice(1).map((d) => d.slice(0, 4))).size),
    figure('chart-rolling-sharpe', rollingSharpeChart(pnl, ROLLING_WINDOW), 240),
    figure('chart-exposure', exposureChart(pnl), 240),
    '<h2>PnL attribution ($)</h2>',
    figure('chart-pnl-ticker', attributionBars('By ticker', attribution.by_ticker), 70 + 28 * Object.keys(attribution.by_ticker).length),
    figure('chart-pnl-component', attributionBars('By alpha component', attribution.by_component), 70 + 28 * Object.keys(attribution.by_component).length),
    figure('chart-pnl-regime', attributionBars('By regime', attribution.by_regime), 70 + 28 * Object.keys(attribution.by_regime).length),
    '</body>',
    '</html>',
    '',
  ];
  return parts.join('\n');
}

/** A line naming the tickers listed or delisted during the window (none for a fixed universe). */
function universeNote(summary: ReportInput['summary']): string[] {
  const list = (m: Record<string, string> | undefined, what: string) => Object.entries(m ?? {}).map(([t, d]) => `${escapeHtml(t)} (${what} ${escapeHtml(d)})`).join(', ');
  const late = list(summary.entered_late, 'first bar');
  const early = list(summary.left_early, 'last bar');
  const behind = list(summary.late, 'last bar');
  if (!late && !early && !behind) return [];
  return [`<p>${[late && `Entered late: ${late}.`, early && `Left early: ${early}.`, behind && `Late data, held at the last close: ${behind}.`].filter(Boolean).join(' ')}</p>`];
}
