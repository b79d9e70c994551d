/**
 * Rule 5 tests (issue 11): a work folder whose raw CSVs are the sample market's, edited to carry
 * one real-world problem (a hole, a reversed file, bad rows, a flat or short benchmark), read
 * with data.source: csv through the real pipeline and CLI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, deepMerge, makeWorkdir, SMALL } from '../support/pipeline.js';

export const TICKERS = ['NVDA', 'MSFT', 'SPY'] as const;
export const HEADER = 'Date,Open,High,Low,Close,Adj Close,Volume';

let sample: Record<string, string[]> | null = null;

/** The SMALL sample market's raw rows per ticker (header left out), generated once per test file. */
export function sampleRows(): Record<string, string[]> {
  if (sample) return sample;
  const gen = makeWorkdir(SMALL);
  const r = dagIn(gen, ['run', 'sample']);
  if (r.code !== 0) throw new Error(`dag run sample failed: ${r.stderr}`);
  sample = Object.fromEntries(TICKERS.map((t) => [t, readFileSync(join(gen, `data/raw/${t}_raw.csv`), 'utf8').trimEnd().split('\n').slice(1)]));
  return sample;
}

/**
 * A csv-source work folder (SMALL settings merged with `settings`) whose raw/{ticker}.csv files
 * are the sample's rows after `edit` (which may return a whole text, header included, as a string).
 */
export function csvWorkdir(settings: Record<string, unknown>, edit: (ticker: string, rows: string[]) => string[] | string = (_t, rows) => rows): string {
  const rows = sampleRows();
  const dir = makeWorkdir(deepMerge(deepMerge(SMALL, { data: { source: 'csv' }, paths: { raw: 'raw/{ticker}.csv' } }), settings));
  mkdirSync(join(dir, 'raw'));
  for (const t of TICKERS) {
    const out = edit(t, rows[t]!.slice());
    writeFileSync(join(dir, `raw/${t}.csv`), typeof out === 'string' ? out : `${HEADER}\n${out.join('\n')}\n`);
  }
  return dir;
}

/** A Node stack frame in CLI output: a user must never see one. */
export const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;
