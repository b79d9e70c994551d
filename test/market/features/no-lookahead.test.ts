import { describe, expect, test } from '@jest/globals';
import { computeFeatures } from '../../../lib/market/features/compute.js';
import { computeLabels } from '../../../lib/market/features/labels.js';
import { computeSignals, DEFAULT_SIGNAL_OPTIONS } from '../../../lib/market/signals/compute.js';
import { SPEC_OPTS, divergeAfter, expectBitEqual, syntheticBars } from './fixtures.js';

describe('no look-ahead: values at t only depend on bars up to t', () => {
  const T = 700;
  const bars = syntheticBars(51, T);
  const bench = syntheticBars(52, T);
  const f = computeFeatures(bars, bench, SPEC_OPTS);
  const s = computeSignals(f, DEFAULT_SIGNAL_OPTIONS);

  test.each([0, 150, 260, 411, 698])('replacing every bar after t=%i changes no feature or signal at dates <= t', (t) => {
    const altBars = divergeAfter(bars, t, 1000 + t);
    const altBench = divergeAfter(bench, t, 2000 + t);
    expect(altBars.close[t + 1]).not.toBe(bars.close[t + 1]);
    const f2 = computeFeatures(altBars, altBench, SPEC_OPTS);
    const s2 = computeSignals(f2, DEFAULT_SIGNAL_OPTIONS);
    for (const [name, col] of Object.entries(f.columns)) expectBitEqual(col, f2.columns[name], 0, t + 1, name);
    for (const [name, col] of Object.entries(s.columns)) expectBitEqual(col, s2.columns[name], 0, t + 1, name);
    // Control: the change is visible right after t, so the comparison above can fail.
    expect(Object.is(f.columns.ret_1[t + 1], f2.columns.ret_1[t + 1])).toBe(false);
  });

  test('control: the labels, forward-looking by design, do change at dates <= t', () => {
    const t = 411;
    const opts = { horizons: [5], vol_window: 20, threshold: 0.5 };
    const a = computeLabels(bars.close, opts).target_state_h5;
    const b = computeLabels(divergeAfter(bars, t, 7).close, opts).target_state_h5;
    const changed = Array.from({ length: t + 1 }, (_, i) => i).filter((i) => !Object.is(a[i], b[i]));
    expect(changed.length).toBeGreaterThan(0);
    expect(Math.min(...changed)).toBeGreaterThanOrEqual(t - 4);
  });
});
