import { finding, type DqFinding } from './dq.js';
import { detectLayout, expectedLayoutsText, type RawColumn, type RawLayout } from './raw-layouts.js';
import { emptyRecords, sliceRecords, type RawRecords } from './raw-records.js';

export interface CsvRead {
  layout: RawLayout;
  records: RawRecords;
}

/** What a CSV could not give as records: a file-level problem (0-byte or header-only file). */
export interface CsvFileProblem {
  problem: DqFinding;
}

const NUMERIC: readonly RawColumn[] = ['open', 'high', 'low', 'close', 'adjclose', 'volume'];
/** What `Number` reads as hexadecimal, binary or octal (it allows no sign before them). */
const RADIX_PREFIX = /^\s*0[xXbBoO]/;

/**
 * A timestamp at midnight, in any offset or none (`2024-01-02 00:00:00-05:00`, as pandas writes
 * a daily index that carries a time zone): its date is the trading date. Any other time of day
 * is left as it is, and refused as a date: `2024-01-03T05:00:00Z` may be midnight in New York.
 */
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00(?:\.0+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function dateOf(field: string): string {
  const d = field.trim();
  return d.length > 10 ? (MIDNIGHT.exec(d)?.[1] ?? d) : d;
}

/**
 * Read a raw daily-price CSV into records. The header picks the layout (an unknown header throws,
 * whatever the bad-row policy, since no row can be read); rows with the wrong number of fields or a
 * field that is not a number are kept as `malformed` for the validator to report with the rest.
 * Fields are plain comma-separated values: the supported layouts never quote.
 */
export function readRawCsv(text: string, file: string, ticker: string): CsvRead | CsvFileProblem {
  if (text.length === 0) return { problem: finding(0, '', 'zero_byte_file', '0-byte file: no header and no rows') };
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const header = lines[0]!.replace(/^\uFEFF/, '').replace(/\r$/, '');
  const layout = detectLayout(header);
  if (!layout) {
    throw new Error(`${file}:1: ${ticker}: unknown header '${header}'; expected one of ${expectedLayoutsText()}`);
  }
  const cols = layout.columns;
  const width = cols.length;
  const idx = (c: RawColumn): number => cols.indexOf(c);
  const iDate = idx('date');
  const iName = idx('name');
  const numericAt = NUMERIC.map((c) => idx(c));
  const first = 1 + checkSubHeaders(layout, lines, file, ticker);
  const rec = emptyRecords(Math.max(0, lines.length - first), layout.columns.includes('adjclose'));
  const targets: (Float64Array | null)[] = [rec.open, rec.high, rec.low, rec.close, rec.adjClose, rec.volume];
  let n = 0;
  for (let li = first; li < lines.length; li++) {
    let text = lines[li]!;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') continue;
    const fields = text.split(',');
    // a file of the Kaggle layout names its symbol on every row: another symbol's file under this name would give this ticker its prices
    if (iName >= 0 && fields.length === width && fields[iName]!.trim().toUpperCase() !== ticker.toUpperCase()) {
      throw new Error(`${file}:${li + 1}: ${ticker}: the Name column says '${fields[iName]!.trim()}', not ${ticker}: is it another symbol's file?`);
    }
    const row = n++;
    rec.line[row] = li + 1;
    rec.date[row] = dateOf(fields[iDate] ?? '');
    if (fields.length !== width) {
      const last = li === lines.length - 1 && !endsWithNewline;
      const what = `expected ${width} fields, found ${fields.length}`;
      rec.malformed.set(row, { kind: 'field_count', message: last ? `truncated last line: ${what}` : what });
      for (const t of targets) if (t) t[row] = NaN;
      continue;
    }
    for (let k = 0; k < targets.length; k++) {
      const t = targets[k];
      if (!t) continue;
      const token = fields[numericAt[k]!]!;
      const v = Number(token);
      // Number('') is 0: an empty field must not read as a zero price; Number('0x10') is 16 and
      // Number('0b1') 1: a CSV writer writes decimals ('1e3' included), so a radix prefix is not one
      if (token.trim() === '') {
        t[row] = NaN;
        if (!rec.malformed.has(row)) rec.malformed.set(row, { kind: 'missing_value', message: `${NUMERIC[k]} is missing` });
      } else if (!Number.isFinite(v) || RADIX_PREFIX.test(token)) {
        t[row] = NaN;
        if (!rec.malformed.has(row)) rec.malformed.set(row, { kind: 'non_numeric', message: `${NUMERIC[k]} '${token}' is not a number` });
      } else {
        t[row] = v;
      }
    }
  }
  if (n === 0) return { problem: finding(1, '', 'empty_file', 'empty file: header only, no data rows') };
  return { layout, records: sliceRecords(rec, n) };
}

/**
 * yfinance's lines under the header (`Ticker,NVDA,NVDA,...` and `Date,,,...`): how many there are.
 * The symbol they name must be the file's ticker: a file saved under the wrong name would
 * otherwise give one ticker another's prices.
 */
function checkSubHeaders(layout: RawLayout, lines: string[], file: string, ticker: string): number {
  if (!layout.subHeaders) return 0;
  const cells = (i: number) => (lines[i] ?? '').replace(/\r$/, '').split(',').map((c) => c.trim());
  const tick = cells(1);
  if (tick[0]?.toLowerCase() !== 'ticker' || tick.length !== layout.columns.length) {
    throw new Error(`${file}:2: ${ticker}: a '${layout.header}' header (${layout.id}) is followed by a line 'Ticker,<symbol>,...' of ${layout.columns.length} fields, found '${lines[1] ?? ''}'`);
  }
  const named = [...new Set(tick.slice(1))];
  if (named.length !== 1 || named[0]!.toUpperCase() !== ticker.toUpperCase()) {
    throw new Error(`${file}:2: ${ticker}: the file's Ticker line names ${named.join(', ')}, not ${ticker}: is it another symbol's file?`);
  }
  const date = cells(2);
  if (date[0]?.toLowerCase() !== 'date' || date.slice(1).some((c) => c !== '')) {
    throw new Error(`${file}:3: ${ticker}: a '${layout.header}' header (${layout.id}) is followed by 'Ticker,...' and then 'Date' with empty fields, found '${lines[2] ?? ''}'`);
  }
  return 2;
}
