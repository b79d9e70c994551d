import { existsSync, readFileSync } from 'node:fs';
import type { Project } from '../dag/project.js';

/** The one-line summary `dag run backtest` ends with (from summary.json). */
export function keyMetricsLine(project: Project): string | null {
  const strategy = (project.config as { backtest: { strategy_name: string } }).backtest.strategy_name;
  const file = project.abs(`artifacts/backtests/${strategy}/summary.json`);
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(2)}%` : 'n/a');
  const num = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : 'n/a');
  return `${strategy} ${s.start_date} .. ${s.end_date}: total return ${pct(s.total_return)}, CAGR ${pct(s.cagr)}, volatility ${pct(s.volatility)}, Sharpe ${num(s.sharpe)}, Sortino ${num(s.sortino)}, max drawdown ${pct(s.max_drawdown)}, benchmark ${pct(s.benchmark_total_return)}${universeChanges(s)} (artifacts/backtests/${strategy}/report.html)`;
}

/** `; entered late: C (first bar 2019-01-02); left early: D (last bar 2022-06-30); late: E (last bar ...)`, or '' for a fixed universe with every bar in. */
function universeChanges(s: Record<string, unknown>): string {
  const list = (key: string, what: string) => {
    const m = (s[key] ?? {}) as Record<string, string>;
    const names = Object.keys(m);
    return names.length ? `; ${key.replace('_', ' ')}: ${names.map((t) => `${t} (${what} ${m[t]})`).join(', ')}` : '';
  };
  return list('entered_late', 'first bar') + list('left_early', 'last bar') + list('late', 'last bar');
}
