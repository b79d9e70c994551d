import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Project } from '../dag/project.js';
import type { RunSummary } from '../dag/runner.js';
import type { DqReport } from '../market/data/dq.js';
import { dqSummaryLines, type BacktestPnl } from './dqSummary.js';

// only what the summary reads: a dq.json from an older version with more fields still passes
const dqFile = z.looseObject({
  ticker: z.string(),
  rows_in: z.number(),
  rows_out: z.number(),
  findings: z.array(z.looseObject({ line: z.number(), date: z.string(), kind: z.string(), level: z.enum(['error', 'warning']), message: z.string() })),
});

const backtestFile = z.looseObject({ start_date: z.string(), end_date: z.string(), pnl_by_ticker: z.record(z.string(), z.number().nullable()) });

/** Parsed JSON, or undefined when the file is not JSON (then the schema check reports it). */
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const dqPath = (t: string) => `artifacts/processed/${t}.dq.json`;

/**
 * The data-quality lines for the tickers this run covered: the dq.json of every `processed`
 * instance in the run (run or cached), and the backtest's per-ticker P&L when `backtest` was
 * part of it.
 * Nothing is read for a project without those nodes (a toy DAG pays nothing).
 */
export function dataQualityLines(project: Project, summary: RunSummary): string[] {
  const tickersOf = (node: string) => summary.instances.filter((i) => i.node === node && i.ticker !== null).map((i) => i.ticker!);
  const reports: DqReport[] = [];
  const unreadable: string[] = [];
  for (const t of tickersOf('processed')) {
    const file = project.abs(dqPath(t));
    if (!existsSync(file)) continue;
    const parsed = dqFile.safeParse(readJson(file));
    // the run itself succeeded: an unreadable report is said, not thrown
    if (parsed.success) reports.push(parsed.data as unknown as DqReport);
    else unreadable.push(`${t}: ${dqPath(t)} is not a readable data-quality report (modified outside dag? \`dag run processed --force\` rewrites it)`);
  }
  // summary.json, not the positions parquet: a no-op run must not load the parquet reader
  const strategy = (project.config as { backtest?: { strategy_name?: string } }).backtest?.strategy_name;
  let backtest: BacktestPnl | null = null;
  if (strategy && summary.instances.some((i) => i.node === 'backtest')) {
    const file = project.abs(`artifacts/backtests/${strategy}/summary.json`);
    const parsed = existsSync(file) ? backtestFile.safeParse(readJson(file)) : null;
    if (parsed?.success) backtest = parsed.data;
  }
  return [...unreadable, ...dqSummaryLines(reports, backtest, dqPath)];
}
