/**
 * Data-quality findings of the raw-price layer. Error-level findings make a row unusable (the row
 * is dropped, or the parse throws); warnings keep the row and are only reported.
 */
export type DqKind =
  | 'zero_byte_file'
  | 'empty_file'
  | 'field_count'
  | 'missing_value'
  | 'non_numeric'
  | 'bad_date'
  | 'non_positive_price'
  | 'out_of_range'
  | 'negative_volume'
  | 'high_below_low'
  | 'open_outside_range'
  | 'close_outside_range'
  | 'duplicate_date'
  | 'out_of_order'
  | 'all_rows_dropped'
  | 'zero_volume'
  | 'gap'
  | 'long_gap'
  | 'price_jump';

export type DqLevel = 'error' | 'warning';

/** `long_gap` (data.on_gap: drop) keeps its row; the rows before it are dropped and counted. */
export const WARNING_KINDS: ReadonlySet<DqKind> = new Set<DqKind>(['zero_volume', 'gap', 'long_gap', 'price_jump']);

export interface DqFinding {
  /** 1-based source line (0 for a finding about the whole file). */
  line: number;
  /** The row's date as written ('' when there is none). */
  date: string;
  kind: DqKind;
  level: DqLevel;
  message: string;
}

export interface DqReport {
  ticker: string;
  file: string;
  /** Data rows read (blank lines not counted). */
  rows_in: number;
  rows_out: number;
  dropped: number;
  /** Sorted by line, then kind. */
  findings: DqFinding[];
}

export function finding(line: number, date: string, kind: DqKind, message: string): DqFinding {
  return { line, date, kind, level: WARNING_KINDS.has(kind) ? 'warning' : 'error', message };
}

/** `file:line: date: TICKER: message`, leaving out the parts a file-level finding lacks. */
export function formatFinding(file: string, ticker: string, f: DqFinding): string {
  const where = f.line > 0 ? `${file}:${f.line}` : file;
  const date = f.date ? `${f.date}: ` : '';
  return `${where}: ${date}${ticker}: ${f.message}`;
}

export function sortFindings(findings: DqFinding[]): DqFinding[] {
  return findings.slice().sort((a, b) => a.line - b.line || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}
