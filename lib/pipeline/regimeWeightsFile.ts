import { regimeWeightRowSchema, regimeWeightsSchema, type RegimeWeights } from '../market/meta/regime-weights.js';
import { objectKeysAt } from '../dag/zodIssues.js';
import { parseYamlText, validateWith } from '../dag/yamlFile.js';

/** Parse and validate config/regimes.yaml text; errors name the file and key path. */
export function parseRegimeWeights(text: string, file: string, regimeNames: string[]): RegimeWeights {
  // rows sit under a record keyed by regime name, which the schema walk cannot see through
  const weights = validateWith(regimeWeightsSchema, parseYamlText(text, file), file, (path) =>
    path.length >= 2 ? objectKeysAt(regimeWeightRowSchema, []) : objectKeysAt(regimeWeightsSchema, path));
  const defined = Object.keys(weights.regimes).sort();
  const wanted = [...regimeNames].sort();
  if (defined.join(',') !== wanted.join(',')) {
    throw new Error(`${file}: regimes: defines [${defined.join(', ')}] but the regime engine produces [${wanted.join(', ')}]`);
  }
  return weights;
}
