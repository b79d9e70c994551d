/** ECharts options of the tearsheet's charts, built from plain data (no rendering here). */
import type { PnlColumns } from '../market/backtest/columns.js';
import type { ChartOption } from './svg.js';
import { benchmarkEquity, monthlyReturns, regimeSpans, rollingSharpe } from './series.js';

/** Fixed palette so colours never depend on rendering order. */
export const REGIME_COLORS = ['rgba(46,125,50,0.13)', 'rgba(198,40,40,0.13)', 'rgba(21,101,192,0.13)', 'rgba(249,168,37,0.16)', 'rgba(106,27,154,0.13)', 'rgba(0,131,143,0.13)'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const GRID = { left: 70, right: 30, top: 40, bottom: 40 };

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
const col = (x: Float64Array, scale = 1): (number | null)[] => Array.from(x, (v) => orNull(v * scale));
const pct = (digits: number) => (v: number) => `${(v * 100).toFixed(digits)}%`;

function dateAxis(dates: string[]) {
  return { type: 'category' as const, data: dates, boundaryGap: false, axisLabel: { hideOverlap: true } };
}

/** Sorted distinct regime labels -> colour. */
export function regimeColors(pnl: PnlColumns): Map<string, string> {
  const labels = [...new Set(pnl.regime.filter((r) => r !== ''))].sort();
  return new Map(labels.map((l, i) => [l, REGIME_COLORS[i % REGIME_COLORS.length]]));
}

export function equityChart(pnl: PnlColumns): ChartOption {
  const colors = regimeColors(pnl);
  const hasBenchmark = pnl.benchmark_return.some((x, t) => t > 0 && Number.isFinite(x));
  const spans = regimeSpans(pnl);
  const row = new Map(pnl.date.map((d, t) => [d, t]));
  // A span reaching up to the next one is drawn to that span's start so adjacent areas touch.
  const shading = spans.map((s, k) => {
    const next = spans[k + 1];
    const end = next && row.get(next.start) === row.get(s.end)! + 1 ? next.start : s.end;
    return [{ xAxis: s.start, itemStyle: { color: colors.get(s.regime) } }, { xAxis: end }];
  });
  return {
    title: { text: 'Equity vs benchmark', left: 'center', textStyle: { fontSize: 14 } },
    legend: { top: 5, right: 30, data: hasBenchmark ? ['Strategy', 'Benchmark'] : ['Strategy'] },
    grid: GRID,
    xAxis: dateAxis(pnl.date),
    yAxis: { type: 'value', scale: true },
    series: [
      {
        name: 'Strategy', type: 'line', showSymbol: false, data: col(pnl.equity), lineStyle: { width: 1.5 },
        markArea: { silent: true, data: shading as never },
      },
      ...(hasBenchmark ? [{ name: 'Benchmark', type: 'line' as const, showSymbol: false, data: col(benchmarkEquity(pnl)), lineStyle: { width: 1 } }] : []),
    ],
  };
}

export function drawdownChart(pnl: PnlColumns): ChartOption {
  return {
    title: { text: 'Underwater (drawdown)', left: 'center', textStyle: { fontSize: 14 } },
    grid: GRID,
    xAxis: dateAxis(pnl.date),
    yAxis: { type: 'value', max: 0, axisLabel: { formatter: pct(0) } },
    series: [{ type: 'line', showSymbol: false, data: col(pnl.drawdown), areaStyle: { color: 'rgba(198,40,40,0.35)' }, lineStyle: { color: '#c62828', width: 1 } }],
  };
}

export function monthlyHeatmap(pnl: PnlColumns): ChartOption {
  const { years, cells } = monthlyReturns(pnl);
  const bound = Math.max(1e-4, ...cells.map((c) => Math.abs(c[2])));
  return {
    title: { text: 'Monthly returns', left: 'center', textStyle: { fontSize: 14 } },
    grid: { ...GRID, bottom: 70 },
    xAxis: { type: 'category', data: MONTHS, splitArea: { show: true } },
    yAxis: { type: 'category', data: years, splitArea: { show: true } },
    visualMap: { min: -bound, max: bound, calculable: false, orient: 'horizontal', left: 'center', bottom: 5, itemHeight: 200, inRange: { color: ['#c62828', '#ffffff', '#2e7d32'] }, formatter: ((v: number) => pct(1)(v)) as never },
    series: [{ type: 'heatmap', data: cells, label: { show: true, fontSize: 10, formatter: ((p: { value: [number, number, number] }) => pct(1)(p.value[2])) as never } }],
  };
}

export function rollingSharpeChart(pnl: PnlColumns, window: number): ChartOption {
  return {
    title: { text: `Rolling ${window}-day Sharpe`, left: 'center', textStyle: { fontSize: 14 } },
    grid: GRID,
    xAxis: dateAxis(pnl.date),
    yAxis: { type: 'value' },
    series: [{ type: 'line', showSymbol: false, data: col(rollingSharpe(pnl.return, window)), lineStyle: { width: 1 } }],
  };
}

export function exposureChart(pnl: PnlColumns): ChartOption {
  return {
    title: { text: 'Gross and net exposure', left: 'center', textStyle: { fontSize: 14 } },
    legend: { top: 5, right: 30, data: ['Gross', 'Net'] },
    grid: GRID,
    xAxis: dateAxis(pnl.date),
    yAxis: { type: 'value', axisLabel: { formatter: pct(0) } },
    series: [
      { name: 'Gross', type: 'line', showSymbol: false, data: col(pnl.gross_exposure), lineStyle: { width: 1 } },
      { name: 'Net', type: 'line', showSymbol: false, data: col(pnl.net_exposure), lineStyle: { width: 1 } },
    ],
  };
}

/** Horizontal bars of $ pnl per key, in the record's (already sorted) key order. */
export function attributionBars(title: string, values: Record<string, number>): ChartOption {
  const keys = Object.keys(values);
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: { left: 150, right: 40, top: 40, bottom: 30 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: keys, inverse: true },
    series: [{
      type: 'bar',
      data: keys.map((k) => ({ value: orNull(values[k]), itemStyle: { color: values[k] >= 0 ? '#2e7d32' : '#c62828' } })),
      label: { show: true, position: 'right', formatter: ((p: { value: number }) => p.value.toFixed(0)) as never },
    }],
  };
}
