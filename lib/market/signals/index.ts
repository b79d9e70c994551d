/** Layer 3: rule-based alpha signals. */
export { computeSignals, signalColumnsNeeded, SIGNAL_COLUMNS, DEFAULT_SIGNAL_OPTIONS, type SignalOptions } from './compute.js';
export { trendAlpha, type TrendAlphaOptions } from './trend-alpha.js';
export { meanReversionAlpha, type MeanReversionAlphaOptions } from './mean-reversion-alpha.js';
export { volAlpha, type VolAlphaOptions } from './vol-alpha.js';
export { relStrengthAlpha, type RelStrengthAlphaOptions } from './rel-strength-alpha.js';
