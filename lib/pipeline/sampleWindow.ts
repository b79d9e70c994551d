import { addTradingDays, tradingDays } from '../core/calendar.js';

/**
 * First date of the sample market: early enough before backtest.start_date that the longest
 * feature look-back, then the ML and regime training windows, are all filled by the start.
 */
export function sampleStart(backtestStart: string, lookbackRows: number, trainRows: number): string {
  const warmup = lookbackRows + trainRows + 21; // + a month of margin for label horizons and gaps
  return addTradingDays(backtestStart, -warmup);
}

/** Last date of the sample market: the backtest end, plus any appended days (daily mode). */
export function sampleEnd(backtestEnd: string, extraDays: number): string {
  const last = tradingDays(addTradingDays(backtestEnd, -5), backtestEnd).at(-1)!;
  return extraDays > 0 ? addTradingDays(last, extraDays) : backtestEnd;
}
