import type { Bars } from '../types.js';
import { tradingDaysBetween } from '../../core/calendar.js';
import { finding, formatFinding, sortFindings, type DqFinding, type DqReport } from './dq.js';
import type { RawRecords } from './raw-records.js';
import { dateOrder, dayNumbers, rowError } from './row-checks.js';

export type BadRowPolicy = 'error' | 'drop';

/** What to do with bad rows and long gaps (the `data` settings). */
export interface DataPolicy {
  /** A row failing a check stops the parse ('error') or is dropped and reported ('drop'). */
  onBadRows: BadRowPolicy;
  /** In drop mode, the largest share of a ticker's rows that may be dropped as bad (0..1). */
  maxDropShare: number;
  /** Longest run of missing trading days (NYSE calendar) between two consecutive rows. */
  maxGapDays: number;
  /** A longer gap stops the parse ('error') or drops the history before it ('drop'). */
  onGap: BadRowPolicy;
  /**
   * A close (adjusted, when the file has adjusted closes) more than (1 + maxDailyMove) times, or
   * less than 1 / (1 + maxDailyMove) times, the previous row's is a `price_jump` warning.
   */
  maxDailyMove: number;
}

export interface BuildBarsOptions extends DataPolicy {
  /** The source file, for messages (e.g. `data/raw/NVDA_raw.csv`). */
  file: string;
  ticker: string;
}

export interface BuiltBars {
  bars: Bars;
  dq: DqReport;
  /** The source listed its rows newest first; they were read in reverse. */
  newestFirst: boolean;
  /** Rows dropped because they came before a gap longer than maxGapDays (drop mode). */
  droppedBeforeGap: number;
}

/** A gap of more than this many calendar days (about a week without data) is a warning. */
const SHORT_GAP_CALENDAR_DAYS = 7;
/** Reasons quoted in the too-many-dropped-rows error. */
const REASONS_QUOTED = 3;

/** `close 120 -> 58 (-51.7%)` when row b's close is beyond maxMove of row a's, else ''. */
function priceJump(records: RawRecords, a: number, b: number, maxMove: number): string {
  const closes = records.adjClose ?? records.close;
  const ratio = closes[b]! / closes[a]!;
  if (ratio <= 1 + maxMove && ratio * (1 + maxMove) >= 1) return '';
  return `${records.adjClose ? 'adjusted close' : 'close'} ${closes[a]} -> ${closes[b]} (${ratio > 1 ? '+' : ''}${(100 * (ratio - 1)).toFixed(1)}%)`;
}

/**
 * Validate raw records and turn them into canonical adjusted bars.
 *
 * Adjustment: adj_factor = adjClose / close; open, high, low and close are multiplied by it and
 * volume divided by it, so the adjusted bar is in today's share units and dollar volume
 * (price x volume) is unchanged. raw_close keeps the traded close. Without an adjusted-close
 * column the factor is 1.
 *
 * Rows are checked in date order: source order, or reversed for a newest-first source (see
 * dateOrder). Duplicates and out-of-order dates are judged against the last kept row, so the
 * first of two equal dates met is the one kept. With `onBadRows: 'error'` the first error-level
 * finding throws `file:line: date: TICKER: problem`; with 'drop' such rows are dropped and
 * reported, and dropping more than `maxDropShare` of the rows throws. A gap of more than
 * `maxGapDays` missing trading days between kept rows throws (`onGap: 'error'`) or drops every
 * row before it (`'drop'`), so no later computation ever spans it. Warnings (zero volume, short
 * gaps) never drop a row. A result with no rows left throws in both modes.
 */
export function buildBars(records: RawRecords, opts: BuildBarsOptions): BuiltBars {
  const { file, ticker } = opts;
  const n = records.date.length;
  const days = dayNumbers(records);
  const { order, newestFirst } = dateOrder(days);
  const valid = validRows(records, days, order, opts);
  if (valid.rows.length === 0) {
    const first = sortFindings(valid.bad)[0];
    throw new Error(`${file}: ${ticker}: every row was dropped (${n} rows)${first ? `; first problem: ${formatFinding(file, ticker, first)}` : ''}`);
  }
  // before the gaps: a file in no usable order is a file of bad rows, not of long gaps
  if (valid.bad.length > opts.maxDropShare * n) {
    const first = sortFindings(valid.bad).slice(0, REASONS_QUOTED).map((f) => `line ${f.line}: ${f.date ? `${f.date}: ` : ''}${f.message}`);
    throw new Error(
      `${file}: ${ticker}: ${valid.bad.length} of ${n} rows (${percent(valid.bad.length / n)}) failed data-quality checks, more than data.max_drop_share ` +
        `(${percent(opts.maxDropShare)}) allows dropping; first: ${first.join('; ')}`,
    );
  }
  const spans = gapsAndWarnings(records, valid.rows, valid.days, opts);
  const keep = valid.rows.slice(spans.first);
  const findings = [...valid.bad, ...spans.findings];
  const m = keep.length;
  const bars: Bars = {
    date: new Array<string>(m),
    open: new Float64Array(m),
    high: new Float64Array(m),
    low: new Float64Array(m),
    close: new Float64Array(m),
    volume: new Float64Array(m),
    raw_close: new Float64Array(m),
    adj_factor: new Float64Array(m),
  };
  const adj = records.adjClose;
  for (let j = 0; j < m; j++) {
    const i = keep[j]!;
    const c = records.close[i]!;
    const f = adj ? adj[i]! / c : 1;
    bars.date[j] = records.date[i]!;
    bars.open[j] = records.open[i]! * f;
    bars.high[j] = records.high[i]! * f;
    bars.low[j] = records.low[i]! * f;
    bars.close[j] = adj ? adj[i]! : c;
    bars.volume[j] = records.volume[i]! / f;
    bars.raw_close[j] = c;
    bars.adj_factor[j] = f;
  }
  return { bars, dq: { ticker, file, rows_in: n, rows_out: m, dropped: n - m, findings: sortFindings(findings) }, newestFirst, droppedBeforeGap: spans.first };
}

function percent(share: number): string {
  return `${Number((100 * share).toPrecision(3))}%`;
}

/**
 * Pass 1: the rows that pass every row check, in date order, and the findings of those that do
 * not. Duplicates and out-of-order dates are judged against the last kept row. In error mode the
 * first bad row throws.
 */
function validRows(records: RawRecords, dayOf: Float64Array, order: number[], opts: BuildBarsOptions): { rows: number[]; days: number[]; bad: DqFinding[] } {
  const rows: number[] = [];
  const days: number[] = [];
  const bad: DqFinding[] = [];
  let lastDay = -Infinity;
  for (const i of order) {
    const day = dayOf[i]!;
    let err = rowError(records, i, day);
    const last = rows.at(-1);
    if (!err && day === lastDay) err = { kind: 'duplicate_date', message: `duplicate date (first on line ${records.line[last!]})` };
    if (!err && day < lastDay) err = { kind: 'out_of_order', message: `date out of order: after ${records.date[last!]} on line ${records.line[last!]}` };
    if (err) {
      const f = finding(records.line[i]!, records.date[i]!, err.kind, err.message);
      if (opts.onBadRows === 'error') throw new Error(formatFinding(opts.file, opts.ticker, f));
      bad.push(f);
      continue;
    }
    rows.push(i);
    days.push(day);
    lastDay = day;
  }
  return { rows, days, bad };
}

/**
 * Pass 2, over the valid rows: a gap of more than maxGapDays missing trading days throws
 * (onGap 'error') or moves the first kept row past it ('drop'); shorter gaps over a week, zero
 * volumes and price jumps are warnings, reported only for rows that are kept.
 *
 * A price jump is what an unadjusted split (a 2:1 split halves the close) or a bad tick (a price
 * off by a factor of 10 or 100, and back the next row) looks like. Each row passes every check
 * on its own, and real shares do move 30-50% in a day now and then, so it is reported, not
 * dropped: the user decides, but not without knowing. Measured on the closes the features use.
 */
function gapsAndWarnings(records: RawRecords, rows: number[], days: number[], opts: BuildBarsOptions): { first: number; findings: DqFinding[] } {
  const { file, ticker, maxGapDays } = opts;
  let first = 0;
  const gaps: DqFinding[] = [];
  let warnings: DqFinding[] = [];
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j]!;
    const line = records.line[i]!;
    const date = records.date[i]!;
    if (j > first) {
      const step = days[j]! - days[j - 1]!;
      // calendar days bound the missing sessions from above: most rows skip the calendar walk
      const missing = step - 1 > maxGapDays ? tradingDaysBetween(days[j - 1]!, days[j]!) : 0;
      const prev = `${records.date[rows[j - 1]!]} (line ${records.line[rows[j - 1]!]})`;
      if (missing > maxGapDays) {
        const what = `gap of ${missing} trading days without data between ${prev} and ${date}, more than the ${maxGapDays} allowed`;
        if (opts.onGap === 'error') throw new Error(`${file}:${line}: ${date}: ${ticker}: ${what} (data.max_gap_days); fill the gap, or set data.on_gap: drop to keep only the history after it`);
        gaps.push(finding(line, date, 'long_gap', `${what}: the ${j} rows before it were dropped`));
        first = j;
        warnings = [];
      } else {
        if (step > SHORT_GAP_CALENDAR_DAYS) warnings.push(finding(line, date, 'gap', `gap of ${step} calendar days since ${records.date[rows[j - 1]!]} (more than ${SHORT_GAP_CALENDAR_DAYS})`));
        // (not after a long gap: the row before it was just dropped)
        const jump = priceJump(records, rows[j - 1]!, i, opts.maxDailyMove);
        if (jump) warnings.push(finding(line, date, 'price_jump', `${jump} since ${prev}, beyond data.max_daily_move ${opts.maxDailyMove}: an unadjusted split or a bad price?`));
      }
    }
    if (records.volume[i] === 0) warnings.push(finding(line, date, 'zero_volume', 'zero volume'));
  }
  return { first, findings: [...gaps, ...warnings] };
}
