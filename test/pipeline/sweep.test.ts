import { beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, deepMerge, makeWorkdir, readSettings, SMALL, writeSettings } from '../support/pipeline.js';
import { CHROMIUM, expectCleanAndDrawn, haveChromium, inspectReport } from '../support/browser.js';

interface VariantJson { id: string; overlay: Record<string, unknown>; dir: string; executed: number; restored: number; skipped: number; failed: number; ran: string[] }
interface SweepJson { name: string; variants: VariantJson[]; failed: number; diagnostics: { dsr: { dsr: number; variant: string; trials: number }; pbo: { pbo: number; combinations: number; splits: number } } }

const DOWNSTREAM = ['positions', 'backtest', 'report', 'latest'];
const AFTER_POSITIONS = ['backtest', 'report', 'latest'];

/** The bytes of a variant's positions files, hashed here (not by dag). */
function positionsHash(dir: string, v: VariantJson): string {
  const folder = join(dir, v.dir, 'artifacts/positions/hybrid_alpha_mvp');
  const h = createHash('sha256');
  for (const f of readdirSync(folder).filter((x) => x.endsWith('.parquet')).sort()) h.update(f).update(readFileSync(join(folder, f)));
  return h.digest('hex');
}
const nodeOf = (id: string) => id.replace(/\[.*\]$/, '');

function sweep(dir: string, args: string[]): SweepJson {
  const r = dagIn(dir, ['sweep', 'backtest', ...args, '--json', '--concurrency', '2']);
  if (r.code !== 0) throw new Error(`dag sweep failed (exit ${r.code}): ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout) as SweepJson;
}

const RISK = ['--set', 'risk.target_vol=0.10,0.15,0.20', '--set', 'risk.max_weight=0.05,0.10', '--set', 'risk.max_gross=0.8,1.0', '--name', 'risk'];

describe('a 12-variant risk sweep on the sample market', () => {
  let dir: string;
  let first: SweepJson;
  let upstreamPerVariant: Map<string, number>;

  beforeAll(() => {
    dir = makeWorkdir(SMALL);
    first = sweep(dir, RISK);
    // instances of each node in one plain run (from `dag status --json`)
    const status = JSON.parse(dagIn(dir, ['status', 'backtest', '--json', '--no-cache']).stdout) as { instances: { node: string }[] };
    upstreamPerVariant = new Map();
    for (const i of status.instances) upstreamPerVariant.set(i.node, (upstreamPerVariant.get(i.node) ?? 0) + 1);
  }, 600_000);

  test('upstream instances execute once in total; positions once per variant; backtest, report and latest once per distinct portfolio', () => {
    expect(first.variants).toHaveLength(12);
    expect(first.failed).toBe(0);
    const ran = new Map<string, number>();
    for (const v of first.variants) for (const id of v.ran) ran.set(id, (ran.get(id) ?? 0) + 1);
    // On the 3-ticker sample, gross exposure never exceeds 3 x max_weight <= 0.30, so max_gross
    // 0.8 and 1.0 give byte-identical positions: the backtest's key is then the same, and it must
    // run once for the pair, not once per variant (nor twice when the twins run at once); latest,
    // which reads the positions and no risk setting, too.
    const portfolios = new Set(first.variants.map((v) => positionsHash(dir, v)));
    for (const [node, n] of upstreamPerVariant) {
      const ids = [...ran.keys()].filter((id) => nodeOf(id) === node);
      expect([node, ids.length]).toEqual([node, n]);
      const expected = node === 'positions' ? 12 : AFTER_POSITIONS.includes(node) ? portfolios.size : 1;
      for (const id of ids) expect([id, ran.get(id)]).toEqual([id, expected]);
    }
    expect(portfolios.size).toBe(6);
    // variants live in their own folders with their own records and results
    for (const v of first.variants) {
      expect(existsSync(join(dir, v.dir, 'artifacts/.dag/records.json'))).toBe(true);
      expect(existsSync(join(dir, v.dir, 'artifacts/backtests/hybrid_alpha_mvp/report.html'))).toBe(true);
    }
  });

  test("each variant's summary.json equals a plain dag run backtest with the overlay in the settings file", () => {
    const plain = makeWorkdir(SMALL);
    const base = readSettings(plain);
    for (const v of first.variants) {
      const overlay: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v.overlay)) overlay[k.split('.')[0]] = deepMerge((overlay[k.split('.')[0]] as Record<string, unknown>) ?? {}, { [k.split('.')[1]]: val });
      writeSettings(plain, deepMerge(base, overlay));
      const r = dagIn(plain, ['run', 'backtest', '--no-cache']);
      expect(r.code).toBe(0);
      const summary = 'artifacts/backtests/hybrid_alpha_mvp/summary.json';
      expect([v.id, readFileSync(join(dir, v.dir, summary), 'utf8')]).toEqual([v.id, readFileSync(join(plain, summary), 'utf8')]);
    }
    rmSync(plain, { recursive: true, force: true });
  }, 600_000);

  test('the results table holds every variant with the metrics of its summary.json', () => {
    const shown = JSON.parse(dagIn(dir, ['sweep', 'show', 'risk', '--sort', 'sharpe', '--json']).stdout) as { columns: string[]; rows: Record<string, number | string>[]; diagnostics: SweepJson['diagnostics'] };
    expect(shown.columns).toEqual(['variant', 'risk.target_vol', 'risk.max_weight', 'risk.max_gross', 'total_return', 'cagr', 'volatility', 'sharpe', 'sortino', 'max_drawdown', 'calmar', 'turnover']);
    expect(shown.rows).toHaveLength(12);
    for (const row of shown.rows) {
      const v = first.variants.find((x) => x.id === row.variant)!;
      const s = JSON.parse(readFileSync(join(dir, v.dir, 'artifacts/backtests/hybrid_alpha_mvp/summary.json'), 'utf8'));
      expect(row).toEqual({ variant: v.id, 'risk.target_vol': v.overlay['risk.target_vol'], 'risk.max_weight': v.overlay['risk.max_weight'], 'risk.max_gross': v.overlay['risk.max_gross'], total_return: s.total_return, cagr: s.cagr, volatility: s.volatility, sharpe: s.sharpe, sortino: s.sortino, max_drawdown: s.max_drawdown, calmar: s.calmar, turnover: s.avg_turnover });
    }
    const sharpes = shown.rows.map((r) => r.sharpe as number);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
    // the best variant is the one the DSR is about; diagnostics match the sweep's own output
    expect(shown.diagnostics.dsr.variant).toBe(shown.rows[0].variant);
    expect(shown.diagnostics).toEqual(first.diagnostics);
    expect(shown.diagnostics.pbo.combinations).toBe(12870);
    expect(shown.diagnostics.dsr.trials).toBe(12);
    const csv = readFileSync(join(dir, 'artifacts/sweeps/risk/results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(13);
    expect(csv[0]).toBe(shown.columns.join(','));
  });

  (haveChromium ? test : test.skip)('the report opens in Chromium without console errors and draws every chart', async () => {
    const file = join(dir, 'artifacts/sweeps/risk/report.html');
    const page = await inspectReport(file, ['chart-heatmap', 'chart-equity-top', 'chart-risk-return']);
    expectCleanAndDrawn(page, file);
    for (const v of first.variants) expect(page.text).toContain(v.id);
    expect(page.text).toContain('Deflated Sharpe Ratio');
    expect(page.text).toContain('Probability of Backtest Overfitting');
  }, 120_000);

  test('adding a fourth target vol reruns exactly the 4 new variants', () => {
    const more = sweep(dir, ['--set', 'risk.target_vol=0.10,0.15,0.20,0.25', ...RISK.slice(2)]);
    expect(more.variants).toHaveLength(16);
    const old = new Set(first.variants.map((v) => v.id));
    const ran = more.variants.filter((v) => v.executed > 0);
    expect(ran.map((v) => v.overlay['risk.target_vol'])).toEqual([0.25, 0.25, 0.25, 0.25]);
    for (const v of ran) {
      expect(old.has(v.id)).toBe(false);
      // the upstream comes from the store; the twins' backtest (see above) runs once per pair
      expect(v.ran.every((id) => DOWNSTREAM.includes(nodeOf(id)))).toBe(true);
      expect(v.ran).toContain('positions');
    }
    const portfolios = new Set(ran.map((v) => positionsHash(dir, v)));
    expect(ran.flatMap((v) => v.ran).filter((id) => id === 'backtest')).toHaveLength(portfolios.size);
    for (const v of more.variants.filter((x) => old.has(x.id))) expect([v.executed, v.restored]).toEqual([0, 0]);
    const status = JSON.parse(dagIn(dir, ['sweep', 'status', 'risk', '--json']).stdout) as { variants: { state: string }[] };
    expect(status.variants.map((v) => v.state)).toEqual(Array(16).fill('done'));
  }, 600_000);

  test('after a settings change sweep status lists every variant as stale, without running anything', () => {
    const s = readSettings(dir);
    s.backtest.commission_bps = 3;
    writeSettings(dir, s);
    const status = JSON.parse(dagIn(dir, ['sweep', 'status', 'risk', '--json']).stdout) as { variants: { state: string; notFresh: number }[] };
    // the backtest and what reads it (report) are stale; positions and latest are not
    expect(status.variants.map((v) => [v.state, v.notFresh])).toEqual(Array(16).fill(['stale', 2]));
    s.backtest.commission_bps = 1;
    writeSettings(dir, s);
  });

  test('a sweep over ml.params.num_leaves retrains per variant and shares everything before train', () => {
    const leaves = sweep(dir, ['--set', 'ml.params.num_leaves=7,31', '--name', 'leaves']);
    expect(leaves.variants).toHaveLength(2);
    const ran = leaves.variants.flatMap((v) => v.ran.map(nodeOf));
    // every (horizon, fold) model is trained again in each variant
    expect(ran.filter((n) => n === 'train')).toHaveLength(2 * upstreamPerVariant.get('train')!);
    // before train: computed by the risk sweep already, restored here, never executed
    for (const n of ['sample', 'processed', 'features', 'signals', 'regime', 'weights']) expect([n, ran.includes(n)]).toEqual([n, false]);
    for (const v of leaves.variants) expect(v.ran.map(nodeOf)).toEqual(expect.arrayContaining(['train', 'predict', 'meta', ...DOWNSTREAM]));
  }, 600_000);
});
