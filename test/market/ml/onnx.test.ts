import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { trainGbdt } from '../../../lib/market/ml/gbdt.js';
import { predictProba, type GbdtModel } from '../../../lib/market/ml/model.js';
import { exportOnnx, readOnnxMetadata } from '../../../lib/market/ml/onnx.js';
import { onnxPredict } from '../../../lib/market/ml/onnxPredict.js';
import { DEFAULT_GBDT_PARAMS } from '../../../lib/market/ml/params.js';

/** 3 classes driven by x0, x1 and x0's missingness; every feature is missing 8% of the time. */
function data(n: number, f: number, seed: number) {
  const rng = createRng(seed);
  const X = new Float64Array(n * f);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) X[i * f + j] = rng.next() < 0.08 ? NaN : rng.normal();
    const x0 = X[i * f];
    const x1 = X[i * f + 1];
    y[i] = Number.isNaN(x0) ? 2 : x0 + 0.5 * (x1 || 0) + 0.7 * rng.normal() > 0 ? 1 : 0;
  }
  return { X, y };
}

const maxAbsDiff = (a: Float64Array, b: Float64Array) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('ONNX export reproduces the JavaScript model', () => {
  const f = 6;
  const names = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'];
  const train = data(4000, f, 1);
  const params = { num_rounds: 60, num_leaves: 15, min_data_in_leaf: 10, feature_fraction: 0.8, bagging_fraction: 0.8, bagging_freq: 1, seed: 4 };
  const model = trainGbdt(train.X, train.y, 4000, f, params);

  test('ONNX Runtime probabilities equal predictProba within 1e-6 on 6,000 rows with missing values', async () => {
    expect(model.numRounds).toBe(60);
    const nanDefaults = model.trees.flatMap((t) => t.defaultLeft);
    expect(nanDefaults).toContain(true);
    expect(nanDefaults).toContain(false);
    const test_ = data(6000, f, 2);
    const onnx = await onnxPredict(exportOnnx(model, names), test_.X, 6000, f);
    const js = predictProba(model, test_.X, 6000);
    expect(maxAbsDiff(onnx, js)).toBeLessThan(1e-6);
  });

  test('the same model gives identical ONNX bytes; metadata carries feature names and classes', () => {
    const again = trainGbdt(train.X, train.y, 4000, f, params);
    const a = exportOnnx(model, names, { classes: ['down', 'flat', 'up'], metadata: { horizon: '3' } });
    const b = exportOnnx(again, names, { classes: ['down', 'flat', 'up'], metadata: { horizon: '3' } });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const meta = readOnnxMetadata(a);
    expect(JSON.parse(meta.feature_names)).toEqual(names);
    expect(JSON.parse(meta.classes)).toEqual(['down', 'flat', 'up']);
    expect(meta.horizon).toBe('3');
  });

  test('a wrong number of feature names is rejected', () => {
    expect(() => exportOnnx(model, ['x0'])).toThrow('1 feature names for a model with 6 features');
  });
});

describe('ONNX export of a hand-built model', () => {
  // Class 0: x1 <= 0.5 (NaN right) -> 1, else -> -1 ; class 1: a tree without splits (0.25);
  // class 2: x0 <= -1 (NaN left) -> 2, else [x1 <= 2 (NaN right) -> 0, else 3].
  const hand: GbdtModel = {
    format: 'gbdt-softmax-v1',
    numClass: 3,
    numFeatures: 2,
    baseScore: [0.1, -0.2, 0.05],
    trees: [
      { classId: 0, splitFeature: [1], threshold: [0.5], defaultLeft: [false], left: [~0], right: [~1], splitGain: [1], leafValue: [1, -1], leafCount: [1, 1] },
      { classId: 1, splitFeature: [], threshold: [], defaultLeft: [], left: [], right: [], splitGain: [], leafValue: [0.25], leafCount: [2] },
      { classId: 2, splitFeature: [0, 1], threshold: [-1, 2], defaultLeft: [true, false], left: [~0, ~1], right: [1, ~2], splitGain: [1, 1], leafValue: [2, 0, 3], leafCount: [1, 1, 1] },
    ],
    numRounds: 1,
    bestIteration: 1,
    validLoss: [],
    featureImportanceGain: [2, 1],
    params: { ...DEFAULT_GBDT_PARAMS, num_class: 3 },
  };
  const rows: [number, number][] = [
    [-2, 0],
    [0, 0.5],
    [0, 1],
    [NaN, 5],
    [3, NaN],
    [-1, 2.0000001],
  ];
  // Hand-worked raw scores per row: [class 0, class 1, class 2] before the base score.
  const treeSums = [
    [1, 0.25, 2],
    [1, 0.25, 0],
    [-1, 0.25, 0],
    [-1, 0.25, 2],
    [-1, 0.25, 3],
    [-1, 0.25, 2],
  ];
  const expected = new Float64Array(rows.length * 3);
  treeSums.forEach((s, i) => {
    const z = s.map((v, c) => v + hand.baseScore[c]);
    const e = z.map((v) => Math.exp(v));
    const tot = e[0] + e[1] + e[2];
    e.forEach((v, c) => (expected[i * 3 + c] = v / tot));
  });
  const X = Float64Array.from(rows.flat());

  test('predictProba equals the hand computation', () => {
    expect(maxAbsDiff(predictProba(hand, X, rows.length), expected)).toBeLessThan(1e-15);
  });

  test('ONNX Runtime equals the hand computation, including NaN routing and a split-less tree', async () => {
    const onnx = await onnxPredict(exportOnnx(hand, ['a', 'b']), X, rows.length, 2);
    expect(maxAbsDiff(onnx, expected)).toBeLessThan(1e-12);
    const scores = await onnxPredict(exportOnnx(hand, ['a', 'b']), X, rows.length, 2, 'scores');
    expect(scores[0]).toBeCloseTo(1 + 0.1, 12);
    expect(scores[5 * 3 + 2]).toBeCloseTo(2 + 0.05, 12);
  });
});
