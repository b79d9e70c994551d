import type { TradeColumns } from './columns.js';

/**
 * Round trips per ticker: a trip opens when the position leaves 0 and closes when it is back
 * to 0. A trade that flips the sign closes the trip and opens a new one, its cost split in
 * proportion to the shares of each part. A trip's pnl is its net cash flow (sales - purchases -
 * costs). Trips still open at the end are not counted.
 */
export interface RoundTripStats {
  count: number;
  profitable: number;
  /** profitable / count (NaN without a closed trip). */
  profitable_share: number;
}

/** Position below this fraction of the trip's largest position counts as flat (float noise). */
const FLAT = 1e-9;

export function roundTrips(trades: TradeColumns): RoundTripStats {
  const open = new Map<string, { pos: number; cash: number; peak: number }>();
  let count = 0;
  let profitable = 0;
  const close = (cash: number) => {
    count++;
    if (cash > 0) profitable++;
  };
  for (let k = 0; k < trades.date.length; k++) {
    const q = trades.side[k] === 'buy' ? trades.quantity[k] : -trades.quantity[k];
    const price = trades.price[k];
    const cost = trades.cost[k];
    const trip = open.get(trades.ticker[k]) ?? { pos: 0, cash: 0, peak: 0 };
    const next = trip.pos + q;
    if (trip.pos !== 0 && Math.sign(next) === -Math.sign(trip.pos) && Math.abs(next) > FLAT * trip.peak) {
      const f = Math.abs(trip.pos) / Math.abs(q);
      close(trip.cash + trip.pos * price - cost * f);
      open.set(trades.ticker[k], { pos: next, cash: -next * price - cost * (1 - f), peak: Math.abs(next) });
      continue;
    }
    trip.cash += -q * price - cost;
    trip.peak = Math.max(trip.peak, Math.abs(next));
    if (Math.abs(next) <= FLAT * trip.peak) {
      close(trip.cash);
      open.set(trades.ticker[k], { pos: 0, cash: 0, peak: 0 });
    } else {
      trip.pos = next;
      open.set(trades.ticker[k], trip);
    }
  }
  return { count, profitable, profitable_share: count === 0 ? NaN : profitable / count };
}
