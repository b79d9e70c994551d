import type { DqKind } from './dq.js';
import type { RawRecords } from './raw-records.js';

/**
 * Plausible magnitudes of a raw value. Beyond them a value is a typo or a sentinel (1e308,
 * 9.99e307), not a quote: 1e308 is finite but its square, or its product with a volume, is not,
 * and the features' exact running sums of squares would turn it into Infinity or NaN many rows
 * later. Inside them every product the pipeline forms (price x volume, sums of squares over any
 * window, capital / price) stays far from the double range: (1e12)^2 x 1e4 rows is 1e28.
 * 1e-12 .. 1e12 still holds a sub-cent crypto token and a $700k Berkshire A share.
 */
export const MIN_PRICE = 1e-12;
export const MAX_PRICE = 1e12;
export const MAX_VOLUME = 1e18;

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

export type RowProblem = { kind: DqKind; message: string };

/** UTC day number of each row's date (NaN for a malformed row or a date that is not ISO). */
export function dayNumbers(r: RawRecords): Float64Array {
  return Float64Array.from(r.date, (d, i) => (r.malformed.has(i) ? NaN : isoDay(d)));
}

/** The first error of row i (whose day number is `day`), or null when the row is usable. Checks run in a fixed order. */
export function rowError(r: RawRecords, i: number, day: number): RowProblem | null {
  const bad = r.malformed.get(i);
  if (bad) return bad;
  if (Number.isNaN(day)) {
    const hint = /^\d{4}-\d{2}-\d{2}[ T]/.test(r.date[i]!) ? ' (a timestamp is read as its date only at 00:00)' : '';
    return { kind: 'bad_date', message: `date '${r.date[i]}' is not an ISO date YYYY-MM-DD${hint}` };
  }
  const o = r.open[i]!;
  const h = r.high[i]!;
  const l = r.low[i]!;
  const c = r.close[i]!;
  const a = r.adjClose ? r.adjClose[i]! : 1;
  const vol = r.volume[i]!;
  // NaN fails every comparison, so one test per row catches missing, non-positive and
  // out-of-range values (Infinity included: a parquet source can hold it).
  const inRange = (p: number) => p >= MIN_PRICE && p <= MAX_PRICE;
  if (!(inRange(o) && inRange(h) && inRange(l) && inRange(c) && inRange(a) && vol >= 0 && vol <= MAX_VOLUME)) {
    const named: [string, number][] = [['open', o], ['high', h], ['low', l], ['close', c]];
    if (r.adjClose) named.push(['adj close', a]);
    named.push(['volume', vol]);
    for (const [name, v] of named) if (Number.isNaN(v)) return { kind: 'missing_value', message: `${name} is missing` };
    for (const [name, v] of named) {
      if (name !== 'volume' && !(v > 0)) return { kind: 'non_positive_price', message: `${name} ${v} is not positive` };
    }
    if (vol < 0) return { kind: 'negative_volume', message: `volume ${vol} is negative` };
    for (const [name, v] of named) {
      const max = name === 'volume' ? MAX_VOLUME : MAX_PRICE;
      if (!Number.isFinite(v)) return { kind: 'out_of_range', message: `${name} ${v} is not a finite number` };
      if (v > max) return { kind: 'out_of_range', message: `${name} ${v} is out of range (above ${max})` };
      if (name !== 'volume' && v < MIN_PRICE) return { kind: 'out_of_range', message: `${name} ${v} is out of range (below ${MIN_PRICE})` };
    }
  }
  if (h < l) return { kind: 'high_below_low', message: `high ${h} < low ${l}` };
  if (o < l || o > h) return { kind: 'open_outside_range', message: `open ${o} outside [low ${l}, high ${h}]` };
  if (c < l || c > h) return { kind: 'close_outside_range', message: `close ${c} outside [low ${l}, high ${h}]` };
  return null;
}

/**
 * Row indices in date order. Newest-first is a common export layout (many web downloads and
 * broker exports): when the valid dates mostly descend, the rows are taken in reverse, so such a
 * file reads like its oldest-first twin. Any other disorder is left for the out-of-order check.
 */
export function dateOrder(days: Float64Array): { order: number[]; newestFirst: boolean } {
  const n = days.length;
  let up = 0;
  let down = 0;
  let prev = NaN;
  for (let i = 0; i < n; i++) {
    const d = days[i]!;
    if (Number.isNaN(d)) continue;
    if (d > prev) up++;
    else if (d < prev) down++;
    prev = d;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  const newestFirst = down > up;
  return { order: newestFirst ? order.reverse() : order, newestFirst };
}
