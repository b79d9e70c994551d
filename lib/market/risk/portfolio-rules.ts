import { targetState } from './targetStatus.js';
import type { OnDelisting } from '../backtest/listing.js';

/**
 * Portfolio-level rules applied date by date across tickers after per-ticker sizing.
 * - long_only: negative weights become 0.
 * - max_gross: when sum_i |w_i(t)| > max_gross, every weight of that date is multiplied by
 *   max_gross / gross, so relative sizes are kept.
 * NaN weights are treated as 0 (no position) and come back as 0.
 *
 * With `held`, a NaN weight means the ticker has no row on that date, and a ticker without a
 * row cannot be traded: the backtest holds its position (no price), as a live book holds a name
 * whose bar is missing. If its last row is recent enough that its position still stands (the
 * `late` rule of targetStatus.ts, decided from the past alone, as latest.json decides it), its
 * last ruled weight counts against max_gross and the tickers that do have a row share what is
 * left: gross exposure stays within max_gross on days a held ticker has no bar.
 */
export interface PortfolioRules {
  max_gross: number;
  long_only: boolean;
}

/** Positions that stand on the dates their ticker has no row (see the module comment). */
export interface HeldPositions {
  /** The date of each row of the weight columns (ISO, ascending). */
  dates: string[];
  /** Per ticker, its last row before the first date (an incremental run starts there), or null. */
  before: ({ date: string; weight: number } | null)[];
  maxGapSessions: number;
  onDelisting: OnDelisting;
}

/** New weight columns (one per ticker, aligned on one date axis) satisfying the rules. */
export function applyPortfolioRules(weightsByTicker: Float64Array[], { max_gross, long_only }: PortfolioRules, held?: HeldPositions): Float64Array[] {
  if (!(Number.isFinite(max_gross) && max_gross >= 0)) {
    throw new Error(`applyPortfolioRules: max_gross must be a finite number >= 0, got ${max_gross}`);
  }
  if (weightsByTicker.length === 0) return [];
  const n = weightsByTicker[0].length;
  weightsByTicker.forEach((w, i) => {
    if (w.length !== n) throw new Error(`applyPortfolioRules: weight column ${i} has ${w.length} rows, expected ${n}`);
  });
  if (held && (held.dates.length !== n || held.before.length !== weightsByTicker.length)) {
    throw new Error(`applyPortfolioRules: held positions give ${held.dates.length} dates and ${held.before.length} tickers for ${n} rows of ${weightsByTicker.length} tickers`);
  }
  const out = weightsByTicker.map((w) => {
    const o = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const x = w[t];
      o[t] = Number.isNaN(x) || (long_only && x < 0) ? 0 : x;
    }
    return o;
  });
  // per ticker, its last row while its position may still stand; `ended` (more than maxGapSessions
  // missing) lasts until its next row, since the dates only move on, so it is decided once
  const last = held ? held.before.map((b) => (b ? { ...b, ended: false } : null)) : [];
  const standingWeight = (i: number, date: string): number => {
    const l = last[i];
    if (!l) return 0;
    if (!l.ended) {
      const s = targetState(l.date, date, held!.maxGapSessions, held!.onDelisting);
      if (!s.keep) {
        last[i] = null; // ended with on_delisting close: nothing stands until its next row
        return 0;
      }
      l.ended = s.status === 'ended';
    }
    return Math.abs(l.weight);
  };
  for (let t = 0; t < n; t++) {
    let gross = 0;
    let standing = 0;
    for (let i = 0; i < out.length; i++) {
      if (!held || !Number.isNaN(weightsByTicker[i][t])) gross += Math.abs(out[i][t]);
      else standing += standingWeight(i, held.dates[t]);
    }
    if (gross > 0 && gross + standing > max_gross) {
      const k = Math.max(0, max_gross - standing) / gross;
      for (const o of out) o[t] *= k;
    }
    if (held) {
      for (let i = 0; i < out.length; i++) if (!Number.isNaN(weightsByTicker[i][t])) last[i] = { date: held.dates[t], weight: out[i][t], ended: false };
    }
  }
  return out;
}
