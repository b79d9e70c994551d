/**
 * US equity (NYSE) trading calendar: weekdays minus the regular NYSE holidays.
 * Written by hand because no installed package knows exchange holidays. All arithmetic is on
 * UTC day numbers (days since 1970-01-01), so the host time zone can never shift a date.
 *
 * Rules: New Year's Day, Martin Luther King Jr. Day (3rd Monday of January, from 1998),
 * Washington's Birthday (3rd Monday of February), Good Friday, Memorial Day (last Monday of May),
 * Juneteenth (June 19, from 2022), Independence Day, Labor Day (1st Monday of September),
 * Thanksgiving (4th Thursday of November), Christmas. A fixed-date holiday on a Sunday is observed
 * on the Monday after, on a Saturday on the Friday before — except New Year's Day on a Saturday,
 * which NYSE does not observe (the Friday would be December 31, the last day of the year's
 * accounting). One-off closures (national mourning, 9/11, Hurricane Sandy) are not modelled.
 */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Parse `YYYY-MM-DD` to a UTC day number; throws naming the bad value. */
export function isoToDay(iso: string): number {
  const m = ISO_RE.exec(iso);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const day = Date.UTC(y, mo - 1, d) / MS_PER_DAY;
    // Date.UTC silently rolls 2023-02-30 over to March; the round trip catches it.
    if (mo >= 1 && mo <= 12 && d >= 1 && dayToIso(day) === iso) return day;
  }
  throw new Error(`invalid date '${iso}': expected an ISO date YYYY-MM-DD`);
}

/** UTC day number to `YYYY-MM-DD`. */
export function dayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function ymd(y: number, month: number, d: number): number {
  return Date.UTC(y, month - 1, d) / MS_PER_DAY;
}

/** The n-th (1-based) given weekday of a month. */
function nthWeekday(y: number, month: number, wd: number, n: number): number {
  const first = ymd(y, month, 1);
  return first + ((wd - weekday(first) + 7) % 7) + 7 * (n - 1);
}

function lastWeekday(y: number, month: number, wd: number): number {
  const last = ymd(y, month + 1, 1) - 1;
  return last - ((weekday(last) - wd + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(y, month, day);
}

function observed(day: number): number {
  const wd = weekday(day);
  if (wd === 6) return day - 1;
  if (wd === 0) return day + 1;
  return day;
}

const holidayCache = new Map<number, Set<number>>();

/** Day numbers of the NYSE holidays observed in calendar year `y`. */
function holidaysOf(y: number): Set<number> {
  let set = holidayCache.get(y);
  if (set) return set;
  const days: number[] = [];
  const newYear = ymd(y, 1, 1);
  if (weekday(newYear) !== 6) days.push(observed(newYear));
  if (y >= 1998) days.push(nthWeekday(y, 1, 1, 3));
  days.push(nthWeekday(y, 2, 1, 3));
  days.push(easterSunday(y) - 2);
  days.push(lastWeekday(y, 5, 1));
  if (y >= 2022) days.push(observed(ymd(y, 6, 19)));
  days.push(observed(ymd(y, 7, 4)));
  days.push(nthWeekday(y, 9, 1, 1));
  days.push(nthWeekday(y, 11, 4, 4));
  days.push(observed(ymd(y, 12, 25)));
  set = new Set(days);
  holidayCache.set(y, set);
  return set;
}

function isTradingDayNumber(day: number): boolean {
  const wd = weekday(day);
  if (wd === 0 || wd === 6) return false;
  const y = new Date(day * MS_PER_DAY).getUTCFullYear();
  return !holidaysOf(y).has(day);
}

/** True when NYSE is open on this date. */
export function isTradingDay(iso: string): boolean {
  return isTradingDayNumber(isoToDay(iso));
}

/** All trading days from start to end, both inclusive, ascending (empty when start > end). */
export function tradingDays(startIso: string, endIso: string): string[] {
  const start = isoToDay(startIso);
  const end = isoToDay(endIso);
  const out: string[] = [];
  for (let d = start; d <= end; d++) if (isTradingDayNumber(d)) out.push(dayToIso(d));
  return out;
}

/** The first trading day strictly after `iso`. */
export function nextTradingDay(iso: string): string {
  let d = isoToDay(iso) + 1;
  while (!isTradingDayNumber(d)) d++;
  return dayToIso(d);
}

/** The last trading day strictly before `iso`. */
export function previousTradingDay(iso: string): string {
  let d = isoToDay(iso) - 1;
  while (!isTradingDayNumber(d)) d--;
  return dayToIso(d);
}

/**
 * Move `n` trading days from `iso` (n < 0 moves back). With n = 0 the date is returned when it
 * is a trading day and rolled forward to the next trading day otherwise.
 */
export function addTradingDays(iso: string, n: number): string {
  if (!Number.isInteger(n)) throw new Error(`addTradingDays: n must be an integer, got ${n}`);
  let d = isoToDay(iso);
  if (n === 0) {
    while (!isTradingDayNumber(d)) d++;
    return dayToIso(d);
  }
  const step = n > 0 ? 1 : -1;
  for (let left = Math.abs(n); left > 0; ) {
    d += step;
    if (isTradingDayNumber(d)) left--;
  }
  return dayToIso(d);
}

/**
 * Trading days strictly between two UTC day numbers (`from` < d < `to`): the sessions missing
 * from a series whose consecutive dates are `from` and `to`. 0 when `to` <= `from` + 1.
 */
export function tradingDaysBetween(from: number, to: number): number {
  let n = 0;
  for (let d = from + 1; d < to; d++) if (isTradingDayNumber(d)) n++;
  return n;
}
