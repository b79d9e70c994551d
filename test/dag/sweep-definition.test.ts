import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expandSweep, parseSet } from '../../lib/dag/sweep/definition.js';
import { applyOverlay, variantId } from '../../lib/dag/sweep/overlay.js';
import { instanceSignatures, sharedPhase } from '../../lib/dag/sweep/share.js';
import { openProject } from '../../lib/dag/project.js';
import { prepareVariants } from '../../lib/dag/sweep/variants.js';
import { dagIn, makeWorkdir, REPO, SMALL } from '../support/pipeline.js';

describe('declaring a sweep', () => {
  test('--set values are YAML scalars or lists split on top-level commas', () => {
    expect(parseSet('risk.target_vol=0.10,0.15')).toEqual(['risk.target_vol', [0.1, 0.15]]);
    expect(parseSet('features.lookbacks.sma=[10,20],[20, 50]')).toEqual(['features.lookbacks.sma', [[10, 20], [20, 50]]]);
    expect(parseSet('regime.method=hmm,rules')).toEqual(['regime.method', ['hmm', 'rules']]);
    expect(() => parseSet('risk.target_vol')).toThrow(/expected key=value/);
  });

  test('a grid is every combination; ids hash the overlay, so they stay when values are added', () => {
    const a = expandSweep({ grid: { 'risk.target_vol': [0.1, 0.2], 'risk.max_weight': [0.05, 0.1] } }, 'test');
    expect(a.variants.map((v) => v.overlay)).toEqual([
      { 'risk.target_vol': 0.1, 'risk.max_weight': 0.05 }, { 'risk.target_vol': 0.1, 'risk.max_weight': 0.1 },
      { 'risk.target_vol': 0.2, 'risk.max_weight': 0.05 }, { 'risk.target_vol': 0.2, 'risk.max_weight': 0.1 },
    ]);
    const b = expandSweep({ grid: { 'risk.target_vol': [0.1, 0.2, 0.3], 'risk.max_weight': [0.05, 0.1] } }, 'test');
    expect(b.variants.map((v) => v.id)).toEqual(expect.arrayContaining(a.variants.map((v) => v.id)));
    // key order does not change an id
    expect(variantId({ x: 1, y: 2 })).toBe(variantId({ y: 2, x: 1 }));
    expect(a.keys).toEqual(['risk.target_vol', 'risk.max_weight']);
  });

  test('explicit variants combine with the grid; random draws are reproducible from their seed', () => {
    const d = expandSweep({ grid: { 'risk.target_vol': [0.1, 0.2] }, variants: [{ 'regime.k': 2 }, { 'regime.k': 4 }] }, 'test');
    expect(d.variants).toHaveLength(4);
    const r1 = expandSweep({ random: { n: 5, seed: 3, params: { 'risk.target_vol': { min: 0.05, max: 0.3, integer: false }, 'ml.params.num_leaves': { min: 4, max: 63, integer: true } } } }, 'test');
    const r2 = expandSweep({ random: { n: 5, seed: 3, params: { 'risk.target_vol': { min: 0.05, max: 0.3, integer: false }, 'ml.params.num_leaves': { min: 4, max: 63, integer: true } } } }, 'test');
    expect(r1.variants).toEqual(r2.variants);
    for (const v of r1.variants) {
      expect(v.overlay['risk.target_vol']).toBeGreaterThanOrEqual(0.05);
      expect(v.overlay['risk.target_vol']).toBeLessThanOrEqual(0.3);
      expect(Number.isInteger(v.overlay['ml.params.num_leaves'])).toBe(true);
    }
  });

  test('an overlay replaces values at dotted paths and leaves the rest', () => {
    const raw = { risk: { target_vol: 0.15, max_weight: 0.1 }, tickers: ['A'] };
    expect(applyOverlay(raw, { 'risk.target_vol': 0.2 }, 'v')).toEqual({ risk: { target_vol: 0.2, max_weight: 0.1 }, tickers: ['A'] });
    expect(raw.risk.target_vol).toBe(0.15);
    expect(() => applyOverlay(raw, { 'tickers.x': 1 }, 'variant v1')).toThrow(/variant v1: tickers is not a group of settings/);
  });

  test('shared work is claimed by the first variant that has it', () => {
    const sig = (m: Record<string, string>) => new Map(Object.entries(m));
    const phase = sharedPhase([
      { ids: ['up', 'a'], sigs: sig({ up: 'U', a: 'A1' }) },
      { ids: ['up', 'a'], sigs: sig({ up: 'U', a: 'A2' }) },
      { ids: ['up', 'a'], sigs: sig({ up: 'U', a: 'A2' }) },
    ]);
    // variant 0 computes U; variant 1 computes A2 (restoring U); variant 2 only restores
    expect([...phase]).toEqual([[0, ['up']], [1, ['up', 'a']]]);
  });
});

describe('which instances variants share', () => {
  test('a risk overlay changes the signatures of positions and what follows, and of nothing upstream', async () => {
    const dir = makeWorkdir(SMALL);
    const main = await openProject({ dagFile: join(REPO, 'pipeline.dag.yaml'), configFile: join(dir, 'config/settings.yaml'), workdir: dir });
    const [a, b] = await prepareVariants(main, 'sig', 'backtest', [{ id: 'a', overlay: { 'risk.target_vol': 0.1 } }, { id: 'b', overlay: { 'risk.target_vol': 0.2 } }], { write: false });
    const sa = instanceSignatures(a.project, a.ids);
    const sb = instanceSignatures(b.project, b.ids);
    const differ = a.ids.filter((id) => sa.get(id) !== sb.get(id));
    expect(differ.sort()).toEqual(['backtest', 'latest', 'positions', 'report']);
    expect(existsSync(join(dir, 'artifacts'))).toBe(false);
  });
});

describe('bad sweeps are clear errors before anything runs', () => {
  const dir = makeWorkdir(SMALL);
  const bad = (args: string[], message: RegExp) => {
    const r = dagIn(dir, ['sweep', 'backtest', ...args, '--name', 'bad']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'artifacts'))).toBe(false);
  };

  test('an unknown key names the variant and suggests the near miss', () => {
    bad(['--set', 'risk.max_wieght=0.05,0.1'], /sweep 'bad' variant [0-9a-f]{10} \(risk\.max_wieght=0\.05\): .*risk\.max_wieght.*did you mean 'risk\.max_weight'/);
  });

  test('a value the schema rejects names the variant and the key', () => {
    bad(['--set', 'risk.target_vol=0.1,-0.2'], /variant [0-9a-f]{10} \(risk\.target_vol=-0\.2\): .*risk\.target_vol: must be positive/);
  });

  test('an empty grid', () => {
    bad(['--set', 'risk.target_vol='], /grid key risk\.target_vol has no values \(empty grid\)/);
  });

  test('two variants with the same overlay', () => {
    bad(['--set', 'risk.target_vol=0.1,0.10'], /variants 1 and 2 have the same overlay \(risk\.target_vol=0\.1\)/);
  });
});
