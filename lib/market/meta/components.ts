/** The alpha components the meta-model weighs, in the order reports list them. */
export const ALPHA_COMPONENTS = [
  'trend_alpha',
  'mean_reversion_alpha',
  'vol_alpha',
  'rel_strength_alpha',
  'ml_score',
] as const;

export type AlphaComponent = (typeof ALPHA_COMPONENTS)[number];

/** The weights table must have one row per regime the regime engine names, and no other. */
export function checkRegimeRows(defined: string[], produced: string[], where: string): void {
  const a = [...defined].sort();
  const b = [...produced].sort();
  if (a.join(',') !== b.join(',')) throw new Error(`${where}: regimes: defines [${a.join(', ')}] but the regime engine produces [${b.join(', ')}]`);
}
