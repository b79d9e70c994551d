import { buildBars, type BuildBarsOptions, type BuiltBars } from './build-bars.js';
import { formatFinding } from './dq.js';
import { readRawCsv } from './raw-csv.js';

export type ParseRawOptions = BuildBarsOptions;

/**
 * Raw daily-price CSV text (Yahoo, lower-case with adjclose, Kaggle or Stooq layout) to canonical
 * adjusted bars and a data-quality report. A 0-byte or header-only file throws in both modes:
 * there is nothing to drop, and no bars to hand on.
 */
export function parseRawCsv(text: string, opts: ParseRawOptions): BuiltBars {
  const read = readRawCsv(text, opts.file, opts.ticker);
  if ('problem' in read) throw new Error(formatFinding(opts.file, opts.ticker, read.problem));
  return buildBars(read.records, opts);
}
