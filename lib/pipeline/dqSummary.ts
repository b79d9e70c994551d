import type { DqFinding, DqReport } from '../market/data/dq.js';

/** The backtest's per-ticker P&L (summary.json): exactly 0 for a ticker that never held a position. */
export interface BacktestPnl {
  start_date: string;
  end_date: string;
  pnl_by_ticker: Record<string, number | null>;
}

/**
 * The end-of-run data-quality summary: one line per finding that changes what the results mean
 * (rows dropped as bad, history dropped before a long gap, gaps of more than a week, price jumps,
 * zero-volume stretches, a ticker that held no position in the whole backtest), so they are seen at the end of every run and
 * not only by whoever opens `*.dq.json`. Empty when there is nothing to say. Pure: the caller
 * reads the files.
 */
export function dqSummaryLines(reports: DqReport[], backtest: BacktestPnl | null, dqPath: (ticker: string) => string): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const bad = r.findings.filter((f) => f.level === 'error');
    if (bad.length) lines.push(`${r.ticker}: ${bad.length} bad row(s) of ${r.rows_in} dropped, first on line ${bad[0]!.line}: ${bad[0]!.message} (${dqPath(r.ticker)})`);
    for (const g of r.findings.filter((f) => f.kind === 'long_gap')) lines.push(`${r.ticker}: history before ${g.date} dropped: ${g.message}`);
    const gaps = r.findings.filter((f) => f.kind === 'gap');
    if (gaps.length) lines.push(`${r.ticker}: ${gaps.length} gap(s) of more than a week without data, the first before ${gaps[0]!.date} (${gaps[0]!.message})`);
    const jumps = r.findings.filter((f) => f.kind === 'price_jump');
    if (jumps.length) lines.push(`${r.ticker}: ${jumps.length} price jump(s), the first on ${jumps[0]!.date}: ${jumps[0]!.message} (${dqPath(r.ticker)})`);
    const zero = stretches(r.findings.filter((f) => f.kind === 'zero_volume'));
    if (zero.length) {
      const longest = zero.reduce((a, b) => (b.length > a.length ? b : a));
      const total = zero.reduce((s, z) => s + z.length, 0);
      // by date, not by line: a newest-first file lists a stretch backwards
      const [from, to] = [longest[0]!.date, longest.at(-1)!.date].sort();
      lines.push(`${r.ticker}: zero volume on ${total} row(s) in ${zero.length} stretch(es), the longest ${longest.length} row(s) from ${from} to ${to}`);
    }
  }
  // a position held for a day moves the P&L (a price change or a trading cost): exactly 0 means none
  for (const [ticker, pnl] of Object.entries(backtest?.pnl_by_ticker ?? {})) {
    if (pnl !== 0) continue;
    const bars = reports.find((r) => r.ticker === ticker)?.rows_out;
    lines.push(
      `${ticker}: held no position between ${backtest!.start_date} and ${backtest!.end_date} (its backtest P&L is exactly 0)` +
        `${bars === undefined ? '' : `; it has ${bars} bars`}: too little history for the feature windows and models, or no alpha?`,
    );
  }
  return lines;
}

/** Zero-volume findings grouped into runs of adjacent source lines (either direction: newest-first files). */
function stretches(findings: DqFinding[]): DqFinding[][] {
  const out: DqFinding[][] = [];
  for (const f of findings) {
    const run = out.at(-1);
    if (run && Math.abs(f.line - run.at(-1)!.line) === 1) run.push(f);
    else out.push([f]);
  }
  return out;
}
