/** Shared helpers for the alpha signals: required feature columns and the common output rule. */
import type { Frame } from '../types.js';

/** A feature column a signal reads; throws naming the signal and the column when it is absent. */
export function requireColumn(features: Frame, name: string, signal: string): Float64Array {
  const col = features.columns[name];
  if (!col) throw new Error(`signal ${signal} needs feature column ${name}, which the features do not have`);
  if (col.length !== features.date.length) {
    throw new Error(`signal ${signal}: feature column ${name} has ${col.length} rows but date has ${features.date.length}`);
  }
  return col;
}

/** Throws unless `scale` is a positive finite number. */
export function checkScale(scale: number, signal: string): void {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`signal ${signal}: scale must be > 0, got ${scale}`);
}

/** rv_{n} is annualised by sqrt(252); signals divide by it to get a daily volatility. */
export const TRADING_DAYS = 252;
