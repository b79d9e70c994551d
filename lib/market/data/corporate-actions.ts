/**
 * Corporate actions of the sample market and the Yahoo-style back-adjustment they imply.
 * Dates are trading-day indices counted from the sample's start, so the schedule never looks at
 * the end of the range (the market must be prefix-stable when extended day by day).
 */
export interface ActionSchedule {
  /** Index of the first split day (>= 1). */
  firstSplit: number;
  /** Trading days between splits. */
  splitEvery: number;
  /** Phase of the quarterly ex-dividend days (0 <= phase < dividendEvery). */
  dividendPhase: number;
  /** Trading days between ex-dividend days (63 = quarterly). */
  dividendEvery: number;
  /** Cash dividend per quarter as a fraction of the previous close. */
  quarterlyYield: number;
}

export function isSplitDay(s: ActionSchedule, t: number): boolean {
  return t >= s.firstSplit && (t - s.firstSplit) % s.splitEvery === 0;
}

/** A dividend due on a split day moves to the next day so that one day carries one event. */
export function isDividendDay(s: ActionSchedule, t: number): boolean {
  const due = (d: number): boolean => d >= 1 && (d - s.dividendPhase) % s.dividendEvery === 0;
  if (isSplitDay(s, t)) return false;
  return due(t) || (t >= 1 && isSplitDay(s, t - 1) && due(t - 1));
}

/** Split ratio chosen from the pre-split price, the way companies pick one: bring it back to ~$50-150. */
export function splitRatioFor(price: number): number {
  if (price > 400) return 4;
  if (price > 150) return 3;
  return 2;
}

/**
 * Yahoo's adjusted close: each close times the product, over every event after its row, of the
 * event's multiplier (1/k for a k:1 split, 1 - D/previous close for a cash dividend D).
 * `multiplier[t]` is that event multiplier on day t (1 when none).
 */
export function backAdjust(close: Float64Array, multiplier: Float64Array): Float64Array {
  const n = close.length;
  const adj = new Float64Array(n);
  let factor = 1;
  for (let t = n - 1; t >= 0; t--) {
    adj[t] = close[t]! * factor;
    factor *= multiplier[t]!;
  }
  return adj;
}
