import type { PnlColumns } from './columns.js';

/**
 * Splits of the backtest's dollar pnl (docs/metrics.md).
 * - by_regime: equity[t] - equity[t-1] summed by the regime label of date t ('unknown' when empty);
 *   includes cash interest, so it sums to final - initial equity.
 * - by_ticker: sum of each ticker's daily pnl (price moves minus its costs).
 * - by_component: each piece of a ticker's pnl is split in proportion to that ticker's alpha
 *   contributions at the date of the decision that set the position earning it:
 *   share_c = contrib_c(d) / sum_c contrib_c(d). The part earned before the day's trade (carryPnl)
 *   belongs to the decision behind the previous close's position (decisionRow[t-1]), the rest,
 *   costs included, to the one behind the new position (decisionRow[t]). Sizing keeps the sign of
 *   alpha_score = sum of contributions and scales it, so the shares add up to the whole pnl.
 *   Pieces whose decision has no contributions, or contributions that are NaN or sum to 0, and
 *   tickers without contributions, go to 'unattributed'.
 * Keys are sorted ('unattributed' last) so the output does not depend on input key order.
 */
export interface Attribution {
  by_ticker: Record<string, number>;
  by_component: Record<string, number>;
  by_regime: Record<string, number>;
}

export interface AttributionInput {
  pnl: PnlColumns;
  perTickerPnl: Record<string, Float64Array>;
  /** From runBacktest: pnl of the carried position before trading, per ticker. */
  carryPnl: Record<string, Float64Array>;
  /** From runBacktest: decision row behind the position held at each close, per ticker. */
  decisionRow: Record<string, Int32Array>;
  /** Ticker -> component -> contribution column aligned to pnl.date (from combineAlpha). */
  contributions?: Record<string, Record<string, Float64Array>>;
}

export const UNATTRIBUTED = 'unattributed';

function sortedRecord(acc: Map<string, number>, last?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...acc.keys()].filter((k) => k !== last).sort()) out[k] = acc.get(k)!;
  if (last !== undefined && acc.has(last)) out[last] = acc.get(last)!;
  return out;
}

export function computeAttribution({ pnl, perTickerPnl, carryPnl, decisionRow, contributions = {} }: AttributionInput): Attribution {
  const n = pnl.date.length;
  const byRegime = new Map<string, number>();
  for (let t = 1; t < n; t++) {
    const label = pnl.regime[t] || 'unknown';
    byRegime.set(label, (byRegime.get(label) ?? 0) + (pnl.equity[t] - pnl.equity[t - 1]));
  }

  const tickers = Object.keys(perTickerPnl).sort();
  const byTicker = new Map<string, number>();
  const byComponent = new Map<string, number>();
  for (const c of Object.values(contributions).flatMap((r) => Object.keys(r))) byComponent.set(c, 0);
  byComponent.set(UNATTRIBUTED, 0);

  for (const tk of tickers) {
    const daily = perTickerPnl[tk];
    if (daily.length !== n) throw new Error(`computeAttribution: pnl of ticker ${tk} has ${daily.length} rows, expected ${n}`);
    let total = 0;
    for (let t = 0; t < n; t++) total += daily[t];
    byTicker.set(tk, total);

    const contrib = contributions[tk] ?? {};
    const comps = Object.keys(contrib).sort();
    for (const c of comps) {
      if (contrib[c].length !== n) throw new Error(`computeAttribution: contribution ${c} of ticker ${tk} has ${contrib[c].length} rows, expected ${n}`);
    }
    const carry = carryPnl[tk];
    const rows = decisionRow[tk];
    if (carry === undefined || rows === undefined) throw new Error(`computeAttribution: no carryPnl/decisionRow for ticker ${tk}`);
    const assign = (amount: number, d: number) => {
      if (amount === 0) return;
      let a = NaN;
      if (d >= 0 && comps.length > 0) {
        a = 0;
        for (const c of comps) a += contrib[c][d];
      }
      if (!Number.isFinite(a) || a === 0) {
        byComponent.set(UNATTRIBUTED, byComponent.get(UNATTRIBUTED)! + amount);
        return;
      }
      for (const c of comps) byComponent.set(c, byComponent.get(c)! + (amount * contrib[c][d]) / a);
    };
    for (let t = 1; t < n; t++) {
      assign(carry[t], rows[t - 1]);
      assign(daily[t] - carry[t], rows[t]);
    }
  }
  return {
    by_ticker: sortedRecord(byTicker),
    by_component: sortedRecord(byComponent, UNATTRIBUTED),
    by_regime: sortedRecord(byRegime),
  };
}
