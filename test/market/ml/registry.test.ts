import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_GBDT_PARAMS } from '../../../lib/market/ml/params.js';
import { modelId, onnxContentHash, resolveModel, type ModelMeta } from '../../../lib/market/ml/registry.js';

function meta(scope: string, horizon: number, version: number, labelEnd: string, modelName = 'lightgbm_v1'): ModelMeta {
  return {
    id: modelId(modelName, scope, horizon, version),
    modelName,
    scope,
    horizon,
    version,
    featureNames: ['a', 'b'],
    classes: [0, 1, 2],
    trainWindow: { first: '2020-01-02', last: labelEnd, labelEnd },
    foldMetrics: [],
    params: DEFAULT_GBDT_PARAMS,
    bestIteration: 10,
    contentHash: '',
  };
}

describe('model registry', () => {
  test('model ids follow <model_name>_<scope>_h<h>_v<version>', () => {
    expect(modelId('lightgbm_v1', 'SPY', 3, 2)).toBe('lightgbm_v1_SPY_h3_v2');
    expect(modelId('lightgbm_v1', 'global', 1, 1)).toBe('lightgbm_v1_global_h1_v1');
    expect(() => modelId('lightgbm_v1', 'SPY', 0, 1)).toThrow('horizon');
  });

  const entries = [
    meta('SPY', 3, 1, '2022-12-30'),
    meta('SPY', 3, 2, '2023-06-30'),
    meta('SPY', 5, 3, '2023-12-29'),
    meta('global', 3, 1, '2023-12-29'),
    meta('global', 3, 2, '2021-12-31'),
    meta('SPY', 3, 1, '2024-03-28', 'other_model'),
  ];

  test('the latest model of the ticker trained before the date is chosen', () => {
    expect(resolveModel(entries, { horizon: 3, ticker: 'SPY', model: 'lightgbm_v1' }).id).toBe('lightgbm_v1_SPY_h3_v2');
    expect(resolveModel(entries, { horizon: 3, ticker: 'SPY', model: 'lightgbm_v1', asOf: '2023-07-03' }).id).toBe('lightgbm_v1_SPY_h3_v2');
    // Training labels ending on the prediction date itself are not allowed.
    expect(resolveModel(entries, { horizon: 3, ticker: 'SPY', model: 'lightgbm_v1', asOf: '2023-06-30' }).id).toBe('lightgbm_v1_SPY_h3_v1');
  });

  test('a ticker without its own model uses the global one', () => {
    expect(resolveModel(entries, { horizon: 3, ticker: 'QQQ', model: 'lightgbm_v1' }).id).toBe('lightgbm_v1_global_h3_v1');
    expect(resolveModel(entries, { horizon: 3, ticker: 'SPY', model: 'lightgbm_v1', asOf: '2022-06-01' }).id).toBe('lightgbm_v1_global_h3_v2');
  });

  test('no model gives the exact error of the spec', () => {
    expect(() => resolveModel([meta('SPY', 5, 1, '2023-01-03')], { horizon: 3, ticker: 'SPY', model: 'lightgbm_v1' })).toThrow(
      new Error('No ML model found for horizon=3, ticker=SPY, model=lightgbm_v1'),
    );
    expect(() => resolveModel(entries, { horizon: 3, ticker: 'SPY', model: 'lightgbm_v1', asOf: '2021-12-31' })).toThrow(
      new Error('No ML model found for horizon=3, ticker=SPY, model=lightgbm_v1'),
    );
  });

  test('the content hash is the sha256 of the ONNX bytes', () => {
    const bytes = Uint8Array.from([1, 2, 3]);
    expect(onnxContentHash(bytes)).toBe(createHash('sha256').update(Buffer.from([1, 2, 3])).digest('hex'));
    expect(onnxContentHash(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
