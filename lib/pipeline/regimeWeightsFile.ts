import { parse as parseYaml } from 'yaml';
import { regimeWeightRowSchema, regimeWeightsSchema, type RegimeWeights } from '../market/meta/regime-weights.js';
import { formatZodIssues, objectKeysAt } from '../dag/zodIssues.js';

/** Parse and validate config/regimes.yaml text; errors name the file and key path. */
export function parseRegimeWeights(text: string, file: string, regimeNames: string[]): RegimeWeights {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = regimeWeightsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(formatZodIssues(file, parsed.error, (path) => path.length >= 2 ? objectKeysAt(regimeWeightRowSchema, []) : objectKeysAt(regimeWeightsSchema, path)));
  }
  const defined = Object.keys(parsed.data.regimes).sort();
  const wanted = [...regimeNames].sort();
  if (defined.join(',') !== wanted.join(',')) {
    throw new Error(`${file}: regimes: defines [${defined.join(', ')}] but the regime engine produces [${wanted.join(', ')}]`);
  }
  return parsed.data;
}
