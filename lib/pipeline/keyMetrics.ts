import { existsSync, readFileSync } from 'node:fs';
import type { Project } from '../dag/project.js';

/** The one-line summary `dag run backtest` ends with (from summary.json). */
export function keyMetricsLine(project: Project): string | null {
  const strategy = (project.config as { backtest: { strategy_name: string } }).backtest.strategy_name;
  const file = project.abs(`artifacts/backtests/${strategy}/summary.json`);
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number | null | string>;
  const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(2)}%` : 'n/a');
  const num = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : 'n/a');
  return `${strategy} ${s.start_date} .. ${s.end_date}: total return ${pct(s.total_return)}, CAGR ${pct(s.cagr)}, volatility ${pct(s.volatility)}, Sharpe ${num(s.sharpe)}, Sortino ${num(s.sortino)}, max drawdown ${pct(s.max_drawdown)}, benchmark ${pct(s.benchmark_total_return)} (artifacts/backtests/${strategy}/report.html)`;
}
