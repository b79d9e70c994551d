/** Layer 2: features and ML labels. */
export { computeFeatures, checkBars } from './compute.js';
export { featureColumns, maxLookback, normalizeFeatureOptions, type FeatureOptions } from './options.js';
export { computeLabels, FORWARD_LOOKING_COLUMNS, DOWN, FLAT, UP, type LabelOptions } from './labels.js';
