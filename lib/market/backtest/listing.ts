import { targetState } from '../risk/targetStatus.js';

/**
 * Listings and delistings within a backtest window. A real universe has tickers whose history
 * starts after the backtest's first date (IPOs, index additions) and tickers whose history stops
 * before its last date (delistings, mergers). The calendar is the union of the traded tickers'
 * dates in the window, so "before its last date" means some other ticker still trades after.
 *
 * A ticker whose file merely ends on the data's last date (the latest bar of a daily run, a
 * look-ahead audit's cutoff) ends with the calendar and is not delisted. The delisting itself is
 * known only in hindsight (no bar follows): it is used for one thing, the cash-out at the last
 * bar's close, which is what a fund holding a delisted share gets; no earlier weight or trade
 * depends on it.
 *
 * At the data's frontier (the newest bar of any ticker) a missing bar is ambiguous: the file may
 * be late. A history that stops at most `maxGapSessions` NYSE sessions before the frontier is
 * `late`, not delisted: its position is held at its last close, as `latest.json` keeps its last
 * target (lib/market/risk/targetStatus.ts), so that the backtest and the targets of one run tell
 * the same story and a one-day-late file does not book a delisting sale a day later undone. Past
 * that many sessions the history has ended and the delisting rule applies, retroactively on its
 * last bar (the backtest is always recomputed in full inside its window).
 */
export type OnDelisting = 'close' | 'hold';

export interface ListingEvents {
  /** Ticker -> its first bar, for tickers whose history starts after the window's first date. */
  enteredLate: Record<string, string>;
  /** Ticker -> its last bar, for tickers whose history stops before the window's last date. */
  leftEarly: Record<string, string>;
  /** Ticker -> its last bar, for tickers whose newest bar is late (see above): held, not closed. */
  late: Record<string, string>;
  /** Per ticker, the window row at whose close its position is cashed out, or -1 (see runBacktest). */
  closeAtRow: Int32Array;
}

/**
 * @param dates the backtest calendar (ascending)
 * @param firstBar, lastBar per ticker, the first and last dates of its whole history
 * @param maxGapSessions `data.max_gap_days`: the most sessions a late file may miss
 */
export function listingEvents(dates: string[], tickers: string[], firstBar: string[], lastBar: string[], onDelisting: OnDelisting, maxGapSessions: number): ListingEvents {
  if (dates.length === 0) throw new Error('listingEvents: the calendar is empty');
  if (firstBar.length !== tickers.length || lastBar.length !== tickers.length) {
    throw new Error(`listingEvents: ${tickers.length} tickers but ${firstBar.length} first and ${lastBar.length} last bars`);
  }
  if (onDelisting !== 'close' && onDelisting !== 'hold') throw new Error(`listingEvents: on_delisting must be close or hold, got '${String(onDelisting)}'`);
  if (!(Number.isInteger(maxGapSessions) && maxGapSessions >= 0)) throw new Error(`listingEvents: maxGapSessions must be an integer >= 0, got ${maxGapSessions}`);
  const first = dates[0];
  const last = dates[dates.length - 1];
  const frontier = lastBar.reduce((m, d) => (d > m ? d : m), '');
  const enteredLate: Record<string, string> = {};
  const leftEarly: Record<string, string> = {};
  const late: Record<string, string> = {};
  const closeAtRow = new Int32Array(tickers.length).fill(-1);
  tickers.forEach((t, i) => {
    if (firstBar[i] > first) enteredLate[t] = firstBar[i];
    if (lastBar[i] >= last) return;
    // latest.json's rule for a ticker without the newest bar: current (the newest bar is a stray
    // row on a closed day, no session is missing), late, or ended
    const { status } = targetState(lastBar[i], frontier, maxGapSessions, onDelisting);
    if (status === 'current') return;
    if (status === 'late') {
      late[t] = lastBar[i];
      return;
    }
    leftEarly[t] = lastBar[i];
    // a history that ended before the window was never traded in it: nothing to close
    if (onDelisting === 'hold' || lastBar[i] < first) return;
    const r = dates.indexOf(lastBar[i]);
    if (r < 0) throw new Error(`listingEvents: the last bar of ${t}, ${lastBar[i]}, is not a date of the backtest calendar`);
    closeAtRow[i] = r;
  });
  return { enteredLate, leftEarly, late, closeAtRow };
}
