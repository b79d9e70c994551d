import type { PnlColumns } from '../../market/backtest/columns.js';
import { deflatedSharpe } from '../../market/overfitting/dsr.js';
import { pboCscv } from '../../market/overfitting/pbo.js';

export interface SweepDiagnostics {
  variants: number;
  /** Dates every variant has a daily return for (the returns the diagnostics use). */
  days: number;
  dsr: { variant: string; dsr: number; sharpe: number; sharpe0: number; var_sharpe: number; trials: number; t: number; skew: number; kurt: number } | null;
  pbo: { pbo: number; splits: number; combinations: number; rows: number } | null;
  /** Why a diagnostic is missing. */
  note?: string;
}

/**
 * Deflated Sharpe Ratio of the best variant and PBO by CSCV over the variants' daily returns
 * (the rows after each backtest's first, on the dates all variants share).
 */
export function sweepDiagnostics(ids: string[], pnls: PnlColumns[], splits: number): SweepDiagnostics {
  if (ids.length < 2) return { variants: ids.length, days: 0, dsr: null, pbo: null, note: 'one variant: nothing was selected, nothing to deflate' };
  const counts = new Map<string, number>();
  for (const p of pnls) for (const d of p.date.slice(1)) counts.set(d, (counts.get(d) ?? 0) + 1);
  const common = [...counts].filter(([, c]) => c === pnls.length).map(([d]) => d).sort();
  const returns = pnls.map((p) => {
    const row = new Map(p.date.map((d, t) => [d, t]));
    return Float64Array.from(common, (d) => p.return[row.get(d)!]);
  });
  for (const [i, r] of returns.entries()) {
    const bad = r.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`variant ${ids[i]}: daily return on ${common[bad]} is not a number`);
  }
  const d = deflatedSharpe(returns);
  const p = pboCscv(returns, splits);
  return {
    variants: ids.length,
    days: common.length,
    dsr: { variant: ids[d.best], dsr: d.dsr, sharpe: d.sharpe, sharpe0: d.sharpe0, var_sharpe: d.varSharpe, trials: d.trials, t: d.t, skew: d.skew, kurt: d.kurt },
    pbo: { pbo: p.pbo, splits: p.splits, combinations: p.combinations, rows: p.rows },
  };
}
