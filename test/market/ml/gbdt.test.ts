import { describe, expect, test } from '@jest/globals';
import { createRng } from '../../../lib/core/rng.js';
import { trainGbdt } from '../../../lib/market/ml/gbdt.js';
import { logLoss, accuracy } from '../../../lib/market/ml/metrics.js';
import { predictProba, predictRaw, type GbdtModel, type GbdtTree } from '../../../lib/market/ml/model.js';

/** class = x2 > 0.5 ? 2 : (x0 * x1 > 0 ? 1 : 0), then 10% of labels moved to another class. */
function ruleData(n: number, f: number, seed: number) {
  const rng = createRng(seed);
  const X = new Float64Array(n * f);
  const y = new Int32Array(n);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) X[i * f + j] = rng.normal();
    const c = X[i * f + 2] > 0.5 ? 2 : X[i * f] * X[i * f + 1] > 0 ? 1 : 0;
    truth[i] = c;
    y[i] = rng.next() < 0.1 ? (c + 1 + rng.int(2)) % 3 : c;
  }
  return { X, y, truth };
}

function depthOf(t: GbdtTree): number {
  const walk = (node: number, d: number): number => (node < 0 ? d : Math.max(walk(t.left[node], d + 1), walk(t.right[node], d + 1)));
  return t.splitFeature.length === 0 ? 0 : walk(0, 0);
}

describe('the trainer learns a non-linear rule', () => {
  test('test accuracy is within 3 points of the Bayes rate of the noisy rule', () => {
    const f = 5;
    const train = ruleData(10_000, f, 1);
    const test_ = ruleData(10_000, f, 2);
    const model = trainGbdt(train.X, train.y, 10_000, f, { num_rounds: 60, num_leaves: 15, learning_rate: 0.1, seed: 1 });
    const probs = predictProba(model, test_.X, 10_000);
    // The Bayes classifier knows the rule: its accuracy on this sample is the noise-free share.
    let bayesHits = 0;
    for (let i = 0; i < 10_000; i++) if (test_.truth[i] === test_.y[i]) bayesHits++;
    const bayes = bayesHits / 10_000;
    expect(Math.abs(bayes - 0.9)).toBeLessThan(0.01);
    expect(accuracy(probs, test_.y, 3)).toBeGreaterThan(bayes - 0.03);
    // Gain importance points at the three features of the rule.
    const imp = model.featureImportanceGain;
    const noise = Math.max(imp[3], imp[4]);
    for (const j of [0, 1, 2]) expect(imp[j]).toBeGreaterThan(5 * noise);
  });
});

describe('split finding matches a brute-force search', () => {
  test('the first split, its NaN direction and leaf values equal an exhaustive scan of the gain formula', () => {
    const rng = createRng(5);
    const n = 300;
    const f = 2;
    const X = new Float64Array(n * f);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.int(3);
      // Feature 0 is informative and sometimes missing, more often for class 2.
      X[i * f] = rng.next() < (y[i] === 2 ? 0.5 : 0.05) ? NaN : Math.round((y[i] + rng.normal()) * 20) / 20;
      X[i * f + 1] = Math.round(rng.normal() * 10) / 10;
    }
    const model = trainGbdt(X, y, n, f, { num_rounds: 1, num_leaves: 2, learning_rate: 1, min_data_in_leaf: 1, min_sum_hessian_in_leaf: 0 });
    const tree = model.trees[2]; // class 2's tree

    // Gradients of softmax cross entropy at the prior, hessian with LightGBM's C/(C-1) factor,
    // both rounded to float32 as the trainer stores them (sums stay float64).
    const prior = [0, 1, 2].map((c) => y.filter((v) => v === c).length / n);
    const g = Array.from(y, (v) => Math.fround(prior[2] - (v === 2 ? 1 : 0)));
    const h = Array.from(y, () => Math.fround(1.5 * prior[2] * (1 - prior[2])));
    const sum = (a: number[], rows: number[]) => rows.reduce((s, r) => s + a[r], 0);
    const score = (rows: number[]) => sum(g, rows) ** 2 / sum(h, rows);
    const all = [...Array(n).keys()];
    let best = { gain: -Infinity, feature: -1, threshold: NaN, nanLeft: false };
    for (let j = 0; j < f; j++) {
      const vals = [...new Set(all.map((i) => X[i * f + j]).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      const cands = vals.slice(0, -1).map((v, k) => (v + vals[k + 1]) / 2);
      cands.push(Number.MAX_VALUE); // all values left, missing right
      for (const thr of cands) {
        for (const nanLeft of [false, true]) {
          const left = all.filter((i) => (Number.isNaN(X[i * f + j]) ? nanLeft : X[i * f + j] <= thr));
          const right = all.filter((i) => !left.includes(i));
          if (left.length === 0 || right.length === 0) continue;
          const gain = score(left) + score(right) - score(all);
          if (gain > best.gain + 1e-9) best = { gain, feature: j, threshold: thr, nanLeft };
        }
      }
    }
    expect(best.feature).toBe(0);
    expect(tree.splitFeature[0]).toBe(best.feature);
    expect(tree.threshold[0]).toBeCloseTo(best.threshold, 12);
    expect(tree.defaultLeft[0]).toBe(best.nanLeft);
    expect(tree.splitGain[0]).toBeCloseTo(best.gain, 9);
    const left = all.filter((i) => (Number.isNaN(X[i * f]) ? best.nanLeft : X[i * f] <= best.threshold));
    const right = all.filter((i) => !left.includes(i));
    expect(tree.leafValue[0]).toBeCloseTo(-sum(g, left) / sum(h, left), 12);
    expect(tree.leafValue[1]).toBeCloseTo(-sum(g, right) / sum(h, right), 12);
    expect(tree.leafCount).toEqual([left.length, right.length]);
    // Base scores are log class frequencies.
    model.baseScore.forEach((b, c) => expect(b).toBeCloseTo(Math.log(prior[c]), 14));
  });

  test('rows with a missing value follow the learned default direction at prediction time', () => {
    const rng = createRng(8);
    const n = 4000;
    const X = new Float64Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.int(3);
      X[i * 2] = y[i] === 2 ? NaN : y[i] + 0.3 * rng.normal();
      X[i * 2 + 1] = rng.normal();
    }
    const model = trainGbdt(X, y, n, 2, { num_rounds: 30, num_leaves: 4 });
    const p = predictProba(model, Float64Array.from([NaN, 0, 0, 0, 1, 0]), 3);
    expect(p[0 * 3 + 2]).toBeGreaterThan(0.9);
    expect(p[1 * 3 + 0]).toBeGreaterThan(0.8);
    expect(p[2 * 3 + 1]).toBeGreaterThan(0.8);
  });
});

describe('determinism', () => {
  const f = 5;
  const d = ruleData(3000, f, 3);
  const params = { num_rounds: 20, num_leaves: 8, feature_fraction: 0.6, bagging_fraction: 0.7, bagging_freq: 1 };

  test('the same seed gives the identical model JSON', () => {
    const a = JSON.stringify(trainGbdt(d.X, d.y, 3000, f, { ...params, seed: 11 }));
    const b = JSON.stringify(trainGbdt(d.X, d.y, 3000, f, { ...params, seed: 11 }));
    expect(a).toBe(b);
  });

  test('another seed with subsampling gives another model', () => {
    const a = JSON.stringify(trainGbdt(d.X, d.y, 3000, f, { ...params, seed: 11 }).trees);
    const b = JSON.stringify(trainGbdt(d.X, d.y, 3000, f, { ...params, seed: 12 }).trees);
    expect(a).not.toBe(b);
  });

  test('a model survives a JSON round trip with identical predictions', () => {
    const m = trainGbdt(d.X, d.y, 3000, f, { ...params, seed: 11 });
    const back = JSON.parse(JSON.stringify(m)) as GbdtModel;
    expect(Array.from(predictRaw(back, d.X, 3000))).toEqual(Array.from(predictRaw(m, d.X, 3000)));
  });

  test('the recorded validation loss equals the loss of predictProba on the validation set', () => {
    const m = trainGbdt(d.X, d.y, 3000, f, { ...params, seed: 11 }, { X: d.X, y: d.y, n: 3000 });
    expect(m.validLoss[m.validLoss.length - 1]).toBeCloseTo(logLoss(predictProba(m, d.X, 3000), d.y, 3), 12);
  });
});

describe('leaf-wise growth respects num_leaves and max_depth', () => {
  const f = 5;
  const d = ruleData(5000, f, 4);

  test('no tree has more than num_leaves leaves, and the bound is reached', () => {
    const m = trainGbdt(d.X, d.y, 5000, f, { num_rounds: 10, num_leaves: 7, min_data_in_leaf: 10 });
    let reached = 0;
    for (const t of m.trees) {
      expect(t.leafValue.length).toBeLessThanOrEqual(7);
      expect(t.splitFeature.length).toBe(t.leafValue.length - 1);
      expect(t.leafCount.reduce((a, b) => a + b, 0)).toBe(5000);
      for (const c of t.leafCount) expect(c).toBeGreaterThanOrEqual(10);
      if (t.leafValue.length === 7) reached++;
    }
    expect(reached).toBeGreaterThan(0);
  });

  test('growth is best-first: without a depth limit some trees are deeper than a balanced tree', () => {
    const m = trainGbdt(d.X, d.y, 5000, f, { num_rounds: 10, num_leaves: 8 });
    // A level-wise tree with 8 leaves has depth 3.
    expect(Math.max(...m.trees.map(depthOf))).toBeGreaterThan(3);
  });

  test('max_depth caps every root-to-leaf path', () => {
    const m = trainGbdt(d.X, d.y, 5000, f, { num_rounds: 10, num_leaves: 31, max_depth: 3 });
    for (const t of m.trees) {
      expect(depthOf(t)).toBeLessThanOrEqual(3);
      expect(t.leafValue.length).toBeLessThanOrEqual(8);
    }
    expect(Math.max(...m.trees.map(depthOf))).toBe(3);
  });
});

describe('early stopping', () => {
  test('stops early_stopping_rounds after the best round and keeps the best iteration', () => {
    // Labels independent of the features: validation loss bottoms out within a few rounds.
    const rng = createRng(9);
    const n = 2000;
    const f = 4;
    const mk = () => {
      const X = Float64Array.from({ length: n * f }, () => rng.normal());
      const y = Int32Array.from({ length: n }, () => rng.int(3));
      return { X, y };
    };
    const tr = mk();
    const va = mk();
    const m = trainGbdt(tr.X, tr.y, n, f, { num_rounds: 300, num_leaves: 31, min_data_in_leaf: 5, early_stopping_rounds: 5 }, { ...va, n });
    const losses = m.validLoss;
    expect(losses.length).toBeLessThan(300);
    let argmin = 0;
    for (let r = 1; r < losses.length; r++) if (losses[r] < losses[argmin]) argmin = r;
    expect(losses.length).toBe(argmin + 1 + 5);
    expect(m.bestIteration).toBe(argmin + 1);
    expect(m.numRounds).toBe(argmin + 1);
    expect(m.trees.length).toBe((argmin + 1) * 3);
    // The kept trees are exactly those of the best round.
    expect(logLoss(predictProba(m, va.X, n), va.y, 3)).toBeCloseTo(losses[argmin], 12);
  });
});

describe('input checks', () => {
  test('mismatched sizes and bad parameters are rejected with the offending name', () => {
    const X = new Float64Array(6);
    const y = Int32Array.from([0, 1, 0]);
    expect(() => trainGbdt(X, y, 3, 3)).toThrow('expected n*f');
    expect(() => trainGbdt(X, y, 3, 2, { num_leaves: 1 })).toThrow('num_leaves');
    expect(() => trainGbdt(X, y, 3, 2, { bagging_fraction: 0 })).toThrow('bagging_fraction');
    expect(() => trainGbdt(X, Int32Array.from([0, 1, 5]), 3, 2, { num_class: 3 })).toThrow('class id 5');
  });
});
