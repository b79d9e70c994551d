import { z } from 'zod';

export { ALPHA_COMPONENTS, type AlphaComponent } from './components.js';

// zod 4 numbers already reject NaN and ±Infinity, so every weight is finite.
const weight = z.number();

/** One regime's row of the weighting table: every component must be given, nothing else. */
export const regimeWeightRowSchema = z.strictObject({
  trend_alpha: weight,
  mean_reversion_alpha: weight,
  vol_alpha: weight,
  rel_strength_alpha: weight,
  ml_score: weight,
});

/** Content of `config/regimes.yaml`: `{ regimes: { <regime name>: <weight row> } }`. */
export const regimeWeightsSchema = z.strictObject({
  regimes: z
    .record(z.string().min(1), regimeWeightRowSchema)
    .refine((r) => Object.keys(r).length > 0, { message: 'at least one regime must be defined' }),
});

export type RegimeWeightRow = z.infer<typeof regimeWeightRowSchema>;
export type RegimeWeights = z.infer<typeof regimeWeightsSchema>;
