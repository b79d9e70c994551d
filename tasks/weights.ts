import type { TaskContext } from '../lib/dag/context.js';
import { parseRegimeWeights } from '../lib/pipeline/regimeWeightsFile.js';

/**
 * Node `weights`: config/regimes.yaml validated once into canonical JSON for the meta-model.
 * It runs in the main thread (in_process), which has the YAML parser and zod loaded anyway;
 * the workers then never load them (about 70 ms each, a tenth of a small daily run).
 */
export default function weights(ctx: TaskContext): void {
  const file = ctx.inputs()[0].path;
  ctx.writeJson(ctx.output(), { source: file, ...parseRegimeWeights(ctx.readText(file), file) });
}
