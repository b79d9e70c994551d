import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { combineAlpha } from '../../../lib/market/meta/combine-alpha.js';
import { regimeWeightsSchema } from '../../../lib/market/meta/regime-weights.js';

const W = {
  bull: { trend_alpha: 0.6, mean_reversion_alpha: 0.1, vol_alpha: 0.1, rel_strength_alpha: 0.1, ml_score: 0.1 },
  bear: { trend_alpha: 0.1, mean_reversion_alpha: 0.4, vol_alpha: 0.2, rel_strength_alpha: 0.1, ml_score: 0.2 },
};
const f = (...x: number[]) => Float64Array.from(x);

// Rows: 0 mixed probs with a NaN ML score; 1 mixed probs, sum above 1; 2 regime warm-up;
// 3 pure bull; 4 sum below -1.
const input = {
  components: {
    trend_alpha: f(0.5, 2, 0.5, 0.5, -2),
    mean_reversion_alpha: f(-0.2, 1, -0.2, -0.2, -2),
    vol_alpha: f(0.4, 1, 0.4, 0.4, -2),
    rel_strength_alpha: f(0.1, 1, 0.1, 0.1, -2),
    ml_score: f(NaN, 1, 0.3, 0.3, -2),
  },
  regimeProbs: { bull: f(0.25, 0.25, NaN, 1, 0.25), bear: f(0.75, 0.75, NaN, 0, 0.75) },
  weights: W,
};

describe('combineAlpha: probability mix of the regime weight rows', () => {
  const out = combineAlpha(input);

  test('p = [0.25, 0.75] blends the bull and bear rows; a NaN ML score contributes 0', () => {
    // w_c = 0.25 * bull_c + 0.75 * bear_c
    expect(out.contrib.trend_alpha[0]).toBeCloseTo((0.25 * 0.6 + 0.75 * 0.1) * 0.5, 14);
    expect(out.contrib.mean_reversion_alpha[0]).toBeCloseTo((0.25 * 0.1 + 0.75 * 0.4) * -0.2, 14);
    expect(out.contrib.vol_alpha[0]).toBeCloseTo((0.25 * 0.1 + 0.75 * 0.2) * 0.4, 14);
    expect(out.contrib.rel_strength_alpha[0]).toBeCloseTo(0.1 * 0.1, 14);
    expect(out.contrib.ml_score[0]).toBe(0);
    expect(out.alpha_score[0]).toBeCloseTo(0.1125 - 0.065 + 0.07 + 0.01, 14);
    // Not the most-likely-regime (bear only) answer.
    const bearOnly = 0.1 * 0.5 + 0.4 * -0.2 + 0.2 * 0.4 + 0.1 * 0.1;
    expect(Math.abs(out.alpha_score[0] - bearOnly)).toBeGreaterThan(0.01);
  });

  test('a one-hot regime row uses that regime weights only', () => {
    expect(out.alpha_score[3]).toBeCloseTo(0.6 * 0.5 + 0.1 * -0.2 + 0.1 * 0.4 + 0.1 * 0.1 + 0.1 * 0.3, 14);
  });

  test('contributions sum to alpha_score on every row', () => {
    for (const t of [0, 1, 3, 4]) {
      const s = Object.values(out.contrib).reduce((a, c) => a + c[t], 0);
      expect(s).toBeCloseTo(out.alpha_score[t], 14);
    }
  });

  test('a sum beyond ±1 is clamped and all contributions are scaled by the same factor', () => {
    const raw = { trend: 0.225 * 2, mr: 0.325, vol: 0.175, rs: 0.1, ml: 0.25 * 0.1 + 0.75 * 0.2 };
    const s = raw.trend + raw.mr + raw.vol + raw.rs + raw.ml; // 1.225
    expect(out.alpha_score[1]).toBe(1);
    expect(out.contrib.trend_alpha[1]).toBeCloseTo(raw.trend / s, 14);
    expect(out.contrib.mean_reversion_alpha[1]).toBeCloseTo(raw.mr / s, 14);
    expect(out.contrib.ml_score[1]).toBeCloseTo(raw.ml / s, 14);
    expect(out.alpha_score[4]).toBe(-1);
    expect(out.contrib.trend_alpha[4]).toBeCloseTo((-2 * 0.225) / 2, 14);
  });

  test('NaN regime probabilities (warm-up) give NaN alpha and NaN contributions', () => {
    expect(out.alpha_score[2]).toBeNaN();
    for (const c of Object.values(out.contrib)) expect(c[2]).toBeNaN();
  });

  test('the result does not depend on the key order of the inputs', () => {
    const reversed = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).reverse());
    const again = combineAlpha({
      components: reversed(input.components),
      regimeProbs: reversed(input.regimeProbs),
      weights: reversed(Object.fromEntries(Object.entries(W).map(([k, v]) => [k, reversed(v)]))),
    });
    expect(Array.from(again.alpha_score)).toEqual(Array.from(out.alpha_score));
  });

  test('bad input is reported by name', () => {
    expect(() => combineAlpha({ ...input, weights: { bull: W.bull } })).toThrow(/regime bear has no row/);
    const { ml_score: _, ...four } = input.components;
    expect(() => combineAlpha({ ...input, components: four })).toThrow(/ml_score, which was not given/);
    expect(() => combineAlpha({ ...input, regimeProbs: { bull: f(0.5, 0.5, 0.5, 0.5, 0.5), bear: f(0.1, 0.5, 0.5, 0.5, 0.5) } })).toThrow(/row 0 sum to/);
  });
});

describe('regimeWeightsSchema (config/regimes.yaml)', () => {
  const yaml = `regimes:
  bull: { trend_alpha: 0.6, mean_reversion_alpha: 0.1, vol_alpha: 0.1, rel_strength_alpha: 0.1, ml_score: 0.1 }
  bear: { trend_alpha: 0.1, mean_reversion_alpha: 0.4, vol_alpha: 0.2, rel_strength_alpha: 0.1, ml_score: 0.2 }
`;
  test('accepts a complete table', () => {
    expect(regimeWeightsSchema.parse(parse(yaml))).toEqual({ regimes: W });
  });
  test('rejects a missing component, an unknown key, a string or an infinite weight', () => {
    const ok = parse(yaml);
    const bad = (mutate: (c: any) => void) => {
      const c = structuredClone(ok);
      mutate(c);
      return regimeWeightsSchema.safeParse(c).success;
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((c) => delete c.regimes.bull.ml_score)).toBe(false);
    expect(bad((c) => (c.regimes.bull.ml_scor = 0.1))).toBe(false);
    expect(bad((c) => (c.extra = 1))).toBe(false);
    expect(bad((c) => (c.regimes.bear.vol_alpha = '0.2'))).toBe(false);
    expect(bad((c) => (c.regimes.bear.vol_alpha = Infinity))).toBe(false);
    expect(bad((c) => (c.regimes = {}))).toBe(false);
  });
});
