import type { Bars } from '../types.js';
import { finding, formatFinding, sortFindings, type DqFinding, type DqKind, type DqReport } from './dq.js';
import type { RawRecords } from './raw-records.js';

export type BadRowPolicy = 'error' | 'drop';

export interface BuildBarsOptions {
  /** The source file, for messages (e.g. `data/raw/NVDA_raw.csv`). */
  file: string;
  ticker: string;
  onBadRows: BadRowPolicy;
  /** A gap between consecutive dates longer than this many calendar days is reported (warning). */
  maxGapDays?: number;
}

export interface BuiltBars {
  bars: Bars;
  dq: DqReport;
}

const DEFAULT_MAX_GAP_DAYS = 7;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** UTC day number of a valid ISO date, NaN otherwise (hot path: no Date round trip per row). */
function isoDay(iso: string): number {
  const m = ISO_RE.exec(iso);
  if (!m) return NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]!) return NaN;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return NaN;
  return Date.UTC(y, mo - 1, d) / 86_400_000;
}

/** The first error of a row, or null when the row is usable. Checks run in a fixed order. */
function rowError(r: RawRecords, i: number): { kind: DqKind; message: string } | null {
  const bad = r.malformed.get(i);
  if (bad) return bad;
  if (Number.isNaN(isoDay(r.date[i]!))) return { kind: 'bad_date', message: `date '${r.date[i]}' is not an ISO date YYYY-MM-DD` };
  const o = r.open[i]!;
  const h = r.high[i]!;
  const l = r.low[i]!;
  const c = r.close[i]!;
  const a = r.adjClose ? r.adjClose[i]! : 1;
  // NaN fails every comparison, so one test per row catches missing and non-positive values.
  if (!(o > 0 && h > 0 && l > 0 && c > 0 && a > 0 && r.volume[i]! >= 0)) {
    const named: [string, number][] = [['open', o], ['high', h], ['low', l], ['close', c]];
    if (r.adjClose) named.push(['adj close', a]);
    named.push(['volume', r.volume[i]!]);
    for (const [name, v] of named) if (Number.isNaN(v)) return { kind: 'missing_value', message: `${name} is missing` };
    for (const [name, v] of named) {
      if (name !== 'volume' && !(v > 0)) return { kind: 'non_positive_price', message: `${name} ${v} is not positive` };
    }
  }
  if (r.volume[i]! < 0) return { kind: 'negative_volume', message: `volume ${r.volume[i]} is negative` };
  if (h < l) return { kind: 'high_below_low', message: `high ${h} < low ${l}` };
  if (o < l || o > h) return { kind: 'open_outside_range', message: `open ${o} outside [low ${l}, high ${h}]` };
  if (c < l || c > h) return { kind: 'close_outside_range', message: `close ${c} outside [low ${l}, high ${h}]` };
  return null;
}

/**
 * Validate raw records and turn them into canonical adjusted bars.
 *
 * Adjustment: adj_factor = adjClose / close; open, high, low and close are multiplied by it and
 * volume divided by it, so the adjusted bar is in today's share units and dollar volume
 * (price x volume) is unchanged. raw_close keeps the traded close. Without an adjusted-close
 * column the factor is 1.
 *
 * Rows are checked in source order; duplicates and out-of-order dates are judged against the
 * last kept row, so the first of two equal dates is the one kept. With `onBadRows: 'error'` the
 * first error-level finding throws `file:line: date: TICKER: problem`; with 'drop' such rows are
 * dropped and reported. Warnings (zero volume, gaps) never drop a row. A result with no rows
 * left throws in both modes.
 */
export function buildBars(records: RawRecords, opts: BuildBarsOptions): BuiltBars {
  const { file, ticker, onBadRows } = opts;
  const maxGap = opts.maxGapDays ?? DEFAULT_MAX_GAP_DAYS;
  const n = records.date.length;
  const findings: DqFinding[] = [];
  const keep: number[] = [];
  let lastDay = -Infinity;
  let lastDate = '';
  let lastLine = 0;
  for (let i = 0; i < n; i++) {
    const line = records.line[i]!;
    const date = records.date[i]!;
    let err = rowError(records, i);
    const day = err ? NaN : isoDay(date);
    if (!err && day === lastDay) err = { kind: 'duplicate_date', message: `duplicate date (first on line ${lastLine})` };
    if (!err && day < lastDay) err = { kind: 'out_of_order', message: `date out of order: after ${lastDate} on line ${lastLine}` };
    if (err) {
      const f = finding(line, date, err.kind, err.message);
      if (onBadRows === 'error') throw new Error(formatFinding(file, ticker, f));
      findings.push(f);
      continue;
    }
    if (records.volume[i] === 0) findings.push(finding(line, date, 'zero_volume', 'zero volume'));
    if (keep.length > 0 && day - lastDay > maxGap) {
      findings.push(finding(line, date, 'gap', `gap of ${day - lastDay} calendar days since ${lastDate} (more than ${maxGap})`));
    }
    keep.push(i);
    lastDay = day;
    lastDate = date;
    lastLine = line;
  }
  if (keep.length === 0) {
    const first = findings[0];
    throw new Error(`${file}: ${ticker}: every row was dropped (${n} rows)${first ? `; first problem: ${formatFinding(file, ticker, first)}` : ''}`);
  }
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
  return { bars, dq: { ticker, file, rows_in: n, rows_out: m, dropped: n - m, findings: sortFindings(findings) } };
}
