import { describe, expect, test } from '@jest/globals';
import { computeFeatures } from '../../../lib/market/features/compute.js';
import { computeSignals, DEFAULT_SIGNAL_OPTIONS, SIGNAL_COLUMNS, signalColumnsNeeded } from '../../../lib/market/signals/compute.js';
import { meanReversionAlpha } from '../../../lib/market/signals/mean-reversion-alpha.js';
import { relStrengthAlpha } from '../../../lib/market/signals/rel-strength-alpha.js';
import { trendAlpha } from '../../../lib/market/signals/trend-alpha.js';
import { volAlpha } from '../../../lib/market/signals/vol-alpha.js';
import type { Frame } from '../../../lib/market/types.js';
import { HAS_MARKET, SPEC_OPTS, readMarketCsv, syntheticBars, warmup } from '../features/fixtures.js';

const one = (columns: Record<string, number>): Frame => ({
  date: ['2024-01-02'],
  columns: Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Float64Array.of(v)])),
});
const SQ252 = Math.sqrt(252);

describe('each alpha follows its documented formula (hand-worked rows)', () => {
  test('trend: mean over windows of close_sma_n / (daily vol * sqrt(n)), tanh, / scale', () => {
    // daily vol 1%; close 4% above SMA20 -> 0.04/(0.01*sqrt(20)) = 0.8944; 10% above SMA50 -> 1.4142.
    const f = one({ close_sma_20: 0.04, close_sma_50: 0.1, rv_20: 0.01 * SQ252 });
    const v = trendAlpha(f, { windows: [50, 20], vol_window: 20, scale: 2 })[0];
    expect(v).toBeCloseTo(Math.tanh((0.894427191 + 1.414213562) / 2 / 2), 9);
    expect(trendAlpha(one({ close_sma_20: -0.04, rv_20: 0.2 }), { windows: [20], vol_window: 20, scale: 1 })[0]).toBeLessThan(0);
  });

  test('mean reversion: -tanh(close_z / scale)', () => {
    expect(meanReversionAlpha(one({ close_z_10: 2 }), { window: 10, scale: 2 })[0]).toBeCloseTo(-0.761594156, 9);
    expect(meanReversionAlpha(one({ close_z_10: -3 }), { window: 10, scale: 1 })[0]).toBeCloseTo(0.995054754, 9);
  });

  test('vol: tanh(ln(rv_long / rv_short) / scale), positive when short-term vol is calmer', () => {
    const calm = volAlpha(one({ rv_10: 0.1, rv_60: 0.2 }), { short_window: 10, long_window: 60, scale: 1 })[0];
    expect(calm).toBeCloseTo(Math.tanh(Math.LN2), 12);
    expect(calm).toBeGreaterThan(0);
    expect(volAlpha(one({ rv_10: 0.4, rv_60: 0.2 }), { short_window: 10, long_window: 60, scale: 0.5 })[0]).toBeCloseTo(-Math.tanh(2 * Math.LN2), 12);
    expect(volAlpha(one({ rv_10: 0, rv_60: 0.2 }), { short_window: 10, long_window: 60, scale: 1 })[0]).toBeNaN();
  });

  test('relative strength: tanh(rs_n / (daily vol * sqrt(n)) / scale)', () => {
    // Beat the benchmark by 5% over 25 days with 1% daily vol: 0.05 / 0.05 = 1.
    const v = relStrengthAlpha(one({ rs_25: 0.05, rv_60: 0.01 * SQ252 }), { window: 25, vol_window: 60, scale: 1 })[0];
    expect(v).toBeCloseTo(Math.tanh(1), 12);
  });

  test('a missing feature column is an error naming the signal and the column', () => {
    expect(() => volAlpha(one({ rv_10: 0.1 }), { short_window: 10, long_window: 60, scale: 1 })).toThrow(
      'signal vol_alpha needs feature column rv_60',
    );
  });
});

describe('computeSignals on whole series', () => {
  const o = DEFAULT_SIGNAL_OPTIONS;
  // Warm-up of each alpha = the longest warm-up among the features it reads.
  const expectedWarmup: Record<string, number> = {
    trend_alpha: Math.max(Math.max(...o.trend.windows) - 1, o.trend.vol_window),
    mean_reversion_alpha: o.mean_reversion.window - 1,
    vol_alpha: Math.max(o.vol.short_window, o.vol.long_window),
    rel_strength_alpha: Math.max(o.rel_strength.window, o.rel_strength.vol_window),
  };

  function checkSeries(s: Frame, label: string): void {
    expect(Object.keys(s.columns)).toEqual([...SIGNAL_COLUMNS]);
    for (const name of SIGNAL_COLUMNS) {
      const col = s.columns[name];
      expect([label, name, warmup(col, name)]).toEqual([label, name, expectedWarmup[name]]);
      const finite = col.filter((v) => !Number.isNaN(v));
      expect(finite.every((v) => v >= -1 && v <= 1)).toBe(true);
      // Continuous scores that use both signs, not a constant or a sign flag.
      expect(Math.min(...finite)).toBeLessThan(-0.2);
      expect(Math.max(...finite)).toBeGreaterThan(0.2);
      expect(new Set(finite).size).toBeGreaterThan(finite.length / 2);
    }
  }

  test('synthetic: bounded in [-1, 1], NaN exactly during warm-up', () => {
    for (const seed of [71, 72, 73]) {
      const f = computeFeatures(syntheticBars(seed, 800), syntheticBars(seed + 100, 800), SPEC_OPTS);
      checkSeries(computeSignals(f, o), `seed ${seed}`);
    }
  });

  test('real files against SPX: bounded, NaN only in warm-up where the benchmark exists', () => {
    if (!HAS_MARKET) return console.warn('skipped: no real market data');
    const bench = readMarketCsv('SPX.csv');
    for (const file of ['NVDA.csv', 'ORCL.csv']) {
      const bars = readMarketCsv(file);
      const from = bars.date.findIndex((d) => d >= bench.date[0]);
      const f = computeFeatures(bars, bench, SPEC_OPTS);
      const s = computeSignals(f, o);
      const cut: Frame = { date: s.date.slice(from), columns: Object.fromEntries(Object.entries(s.columns).map(([k, v]) => [k, v.slice(from)])) };
      for (const name of ['trend_alpha', 'mean_reversion_alpha', 'vol_alpha']) expect(warmup(s.columns[name], name)).toBe(expectedWarmup[name]);
      expect(warmup(cut.columns.rel_strength_alpha, 'rel_strength_alpha')).toBe(o.rel_strength.window);
      for (const col of Object.values(s.columns)) expect(col.every((v) => Number.isNaN(v) || (v >= -1 && v <= 1))).toBe(true);
    }
  });

  test('the benchmark itself has rel_strength_alpha exactly 0 after warm-up', () => {
    const bench = syntheticBars(81, 300);
    const s = computeSignals(computeFeatures(bench, bench, SPEC_OPTS), o);
    const rs = s.columns.rel_strength_alpha.subarray(expectedWarmup.rel_strength_alpha);
    expect(rs.every((v) => Object.is(v, 0))).toBe(true);
  });

  test('signalColumnsNeeded lists exactly the feature columns the defaults read, all produced by the spec features', () => {
    expect(signalColumnsNeeded(o)).toEqual(['close_sma_20', 'close_sma_200', 'close_sma_50', 'close_z_10', 'rs_20', 'rv_10', 'rv_20', 'rv_60']);
    const f = computeFeatures(syntheticBars(82, 50), null, SPEC_OPTS);
    for (const c of signalColumnsNeeded(o)) expect(Object.keys(f.columns)).toContain(c);
    // Only those columns are read: a frame holding just them gives the same signals.
    const full = computeFeatures(syntheticBars(83, 400), syntheticBars(84, 400), SPEC_OPTS);
    const only: Frame = { date: full.date, columns: Object.fromEntries(signalColumnsNeeded(o).map((c) => [c, full.columns[c]])) };
    expect(computeSignals(only, o)).toEqual(computeSignals(full, o));
  });
});
