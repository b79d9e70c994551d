/**
 * Model registry: names, the metadata sidecar written next to each ONNX file, and the choice of
 * the model to use for a (horizon, ticker, date).
 */
import { createHash } from 'node:crypto';
import type { GbdtParams } from './params.js';

export type ModelScope = string; // a ticker, or 'global' for a pooled model

export const GLOBAL_SCOPE = 'global';

/** `<model_name>_<scope>_h<h>_v<version>`, e.g. `lightgbm_v1_SPY_h3_v2`. */
export function modelId(modelName: string, scope: ModelScope, horizon: number, version: number): string {
  if (!modelName) throw new Error('model name must not be empty');
  if (!scope) throw new Error('model scope must be a ticker or "global"');
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`model horizon must be a positive integer, got ${horizon}`);
  if (!Number.isInteger(version) || version < 1) throw new Error(`model version must be a positive integer, got ${version}`);
  return `${modelName}_${scope}_h${horizon}_v${version}`;
}

export interface FoldMetrics {
  predictFirst: string;
  predictLast: string;
  rows: number;
  logLoss: number;
  priorLogLoss: number;
  accuracy: number;
}

/** Sidecar metadata of one trained model (JSON next to the .onnx file). */
export interface ModelMeta {
  /** modelId(...) of this entry. */
  id: string;
  modelName: string;
  scope: ModelScope;
  horizon: number;
  version: number;
  /** Feature names in the column order the model expects. */
  featureNames: string[];
  /** Class labels, index = class id. */
  classes: (string | number)[];
  trainWindow: {
    /** First and last training row dates. */
    first: string;
    last: string;
    /** Latest close any training label used: nothing after it was seen. */
    labelEnd: string;
  };
  foldMetrics: FoldMetrics[];
  params: GbdtParams;
  bestIteration: number;
  /** sha256 (hex) of the ONNX bytes. */
  contentHash: string;
}

/** Hex sha256 of ONNX bytes, the model's content hash. */
export function onnxContentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ResolveQuery {
  horizon: number;
  ticker: string;
  /** Model name, e.g. `lightgbm_v1`. */
  model: string;
  /** Prediction date: only models whose training labels all ended strictly before it qualify. */
  asOf?: string;
}

/**
 * The model for a query: the ticker's own models if any qualify, else the global ones; among
 * those the latest trainWindow.labelEnd (then the highest version). Throws
 * `No ML model found for horizon=3, ticker=SPY, model=lightgbm_v1` when none qualifies.
 */
export function resolveModel(entries: ModelMeta[], q: ResolveQuery): ModelMeta {
  const qualifies = (e: ModelMeta) =>
    e.modelName === q.model && e.horizon === q.horizon && (q.asOf === undefined || e.trainWindow.labelEnd < q.asOf);
  for (const scope of [q.ticker, GLOBAL_SCOPE]) {
    let best: ModelMeta | null = null;
    for (const e of entries) {
      if (e.scope !== scope || !qualifies(e)) continue;
      if (
        !best ||
        e.trainWindow.labelEnd > best.trainWindow.labelEnd ||
        (e.trainWindow.labelEnd === best.trainWindow.labelEnd && e.version > best.version)
      ) {
        best = e;
      }
    }
    if (best) return best;
  }
  throw new Error(`No ML model found for horizon=${q.horizon}, ticker=${q.ticker}, model=${q.model}`);
}
