/** Regime engine: Gaussian HMM (fit, filter, walk-forward) and rule-based regimes. */
export type { FilterResult, HmmFitOptions, HmmModel } from './types.js';
export { fitHmm } from './fit.js';
export { filterProbs } from './filter.js';
export { orderStates, stateNames, type StateOrder } from './order.js';
export { logReturns, regimeObservations, regimeObservationWeights, rollingSampleStd } from './observations.js';
export { walkForwardRegimes } from './walk-forward.js';
export type { WalkForwardFit, WalkForwardOptions, WalkForwardResult } from './walk-forward.js';
export { ruleRegimes } from './rules.js';
export { mostLikelyStates } from './labels.js';
export { validRowIndices } from './rows.js';
export type { RuleRegimeOptions, RuleRegimeResult } from './rules.js';
