/** ECharts options of the sweep comparison report, built from plain data (no rendering here). */
import type { ChartOption } from './svg.js';

const GRID = { left: 80, right: 40, top: 50, bottom: 50 };
const pct = (digits: number) => (v: number) => `${(v * 100).toFixed(digits)}%`;
const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface SweepPoint {
  variant: string;
  overlay: Record<string, unknown>;
  metrics: Record<string, number>;
}

/** A swept value as an axis label. */
export const valueLabel = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function distinctSorted(values: unknown[]): unknown[] {
  const byLabel = new Map(values.map((v) => [valueLabel(v), v]));
  const all = [...byLabel.values()];
  return all.every((v) => typeof v === 'number') ? (all as number[]).sort((a, b) => a - b) : all.sort((a, b) => valueLabel(a).localeCompare(valueLabel(b)));
}

/** Mean of `metric` over the variants at each (x, y) pair of two swept keys (other keys averaged out). */
export function heatmapCells(points: SweepPoint[], x: string, y: string, metric: string): { xs: string[]; ys: string[]; cells: [number, number, number][] } {
  const xs = distinctSorted(points.map((p) => p.overlay[x])).map(valueLabel);
  const ys = distinctSorted(points.map((p) => p.overlay[y])).map(valueLabel);
  const sums = new Map<string, [number, number]>();
  for (const p of points) {
    const v = p.metrics[metric];
    if (!Number.isFinite(v)) continue;
    const k = `${xs.indexOf(valueLabel(p.overlay[x]))},${ys.indexOf(valueLabel(p.overlay[y]))}`;
    const s = sums.get(k) ?? [0, 0];
    sums.set(k, [s[0] + v, s[1] + 1]);
  }
  const cells: [number, number, number][] = [...sums].map(([k, [s, n]]) => {
    const [i, j] = k.split(',').map(Number);
    return [i, j, s / n];
  });
  cells.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { xs, ys, cells };
}

export function heatmapChart(points: SweepPoint[], x: string, y: string, metric: string): ChartOption {
  const { xs, ys, cells } = heatmapCells(points, x, y, metric);
  const values = cells.map((c) => c[2]);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return {
    title: { text: `${metric} by ${x} and ${y}`, left: 'center', textStyle: { fontSize: 14 } },
    grid: { ...GRID, bottom: 70 },
    xAxis: { type: 'category', name: x, nameLocation: 'middle', nameGap: 28, data: xs, splitArea: { show: true } },
    yAxis: { type: 'category', name: y, data: ys, splitArea: { show: true } },
    visualMap: { min: lo, max: hi === lo ? lo + 1 : hi, calculable: false, orient: 'horizontal', left: 'center', bottom: 5, itemHeight: 200, inRange: { color: ['#c62828', '#ffffff', '#2e7d32'] } },
    series: [{ type: 'heatmap', data: cells, label: { show: true, fontSize: 11, formatter: ((p: { value: [number, number, number] }) => p.value[2].toFixed(2)) as never } }],
  };
}

export interface Curve {
  name: string;
  dates: string[];
  equity: Float64Array;
}

/** Equity of the top variants and the benchmark on the first curve's dates. */
export function equityCurvesChart(curves: Curve[]): ChartOption {
  const dates = curves[0].dates;
  return {
    title: { text: 'Equity of the top variants vs benchmark', left: 'center', textStyle: { fontSize: 14 } },
    legend: { top: 25, data: curves.map((c) => c.name) },
    grid: { ...GRID, top: 70 },
    xAxis: { type: 'category', data: dates, boundaryGap: false, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', scale: true },
    series: curves.map((c) => {
      const row = new Map(c.dates.map((d, t) => [d, t]));
      return { name: c.name, type: 'line' as const, showSymbol: false, lineStyle: { width: c.name === 'Benchmark' ? 2 : 1 }, data: dates.map((d) => (row.has(d) ? orNull(c.equity[row.get(d)!]) : null)) };
    }),
  };
}

/** CAGR against annualised volatility, one point per variant. */
export function riskReturnChart(points: SweepPoint[]): ChartOption {
  return {
    title: { text: 'Return vs volatility', left: 'center', textStyle: { fontSize: 14 } },
    grid: GRID,
    xAxis: { type: 'value', name: 'volatility', nameLocation: 'middle', nameGap: 28, scale: true, axisLabel: { formatter: pct(1) } },
    yAxis: { type: 'value', name: 'CAGR', scale: true, axisLabel: { formatter: pct(1) } },
    series: [{
      type: 'scatter',
      symbolSize: 9,
      data: points.filter((p) => Number.isFinite(p.metrics.volatility) && Number.isFinite(p.metrics.cagr)).map((p) => ({ name: p.variant, value: [p.metrics.volatility, p.metrics.cagr] })),
      label: { show: true, position: 'right', fontSize: 9, formatter: '{b}' },
    }],
  };
}
