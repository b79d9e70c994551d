import { isoToDay, tradingDaysBetween } from '../../core/calendar.js';
import type { OnDelisting } from '../backtest/listing.js';

/**
 * The next session's target of a ticker whose newest bar is older than the portfolio's (the
 * newest bar of any ticker). A daily run cannot tell a late file from a delisting, so it goes by
 * the gap: up to `data.max_gap_days` missing sessions is a gap preprocessing would accept once
 * the bars arrive (the ticker is late, its last target stands); more is a history that has
 * ended, whose target follows `backtest.on_delisting` as the backtest's position does (close: 0,
 * hold: the last target). Without this a delisted ticker's last target would be handed to an
 * execution system for years.
 */
export type TargetStatus = 'current' | 'late' | 'ended';

/** NYSE sessions after `lastBar` up to and including `asOf` (0 when lastBar >= asOf). */
export function missedSessions(lastBar: string, asOf: string): number {
  return lastBar >= asOf ? 0 : tradingDaysBetween(isoToDay(lastBar), isoToDay(asOf) + 1);
}

export interface TargetState {
  status: TargetStatus;
  /** NYSE sessions after the ticker's last bar up to and including the portfolio's date. */
  missingSessions: number;
  /** The last target still applies (false: the target is 0). */
  keep: boolean;
}

export function targetState(lastBar: string, asOf: string, maxGapSessions: number, onDelisting: OnDelisting): TargetState {
  if (!(Number.isInteger(maxGapSessions) && maxGapSessions >= 0)) throw new Error(`targetState: maxGapSessions must be an integer >= 0, got ${maxGapSessions}`);
  // a newest date that is no NYSE session (a stray holiday row in another file) misses nothing
  const missingSessions = missedSessions(lastBar, asOf);
  if (missingSessions === 0) return { status: 'current', missingSessions: 0, keep: true };
  if (missingSessions <= maxGapSessions) return { status: 'late', missingSessions, keep: true };
  return { status: 'ended', missingSessions, keep: onDelisting === 'hold' };
}
