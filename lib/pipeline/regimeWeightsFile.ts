import { regimeWeightRowSchema, regimeWeightsSchema, type RegimeWeights } from '../market/meta/regime-weights.js';
import { objectKeysAt } from '../dag/zodIssues.js';
import { parseYamlText, validateWith } from '../dag/yamlFile.js';

/** Parse and validate config/regimes.yaml text; errors name the file and key path. */
export function parseRegimeWeights(text: string, file: string): RegimeWeights {
  // rows sit under a record keyed by regime name, which the schema walk cannot see through
  return validateWith(regimeWeightsSchema, parseYamlText(text, file), file, (path) =>
    path.length >= 2 ? objectKeysAt(regimeWeightRowSchema, []) : objectKeysAt(regimeWeightsSchema, path));
}
