import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDagFile } from '../../lib/dag/spec.js';
import { buildPlan } from '../../lib/dag/plan.js';

/**
 * A node-level `ticker_list`: `bars` (and the `source` that writes their files) range over a
 * longer config list than the DAG's `fanout`, so a per-ticker node can read an element that is
 * not in the fan-out list (here the reference series `REF`) while `score` and `total` stay on `names`.
 */
const DAG = `version: 1
config: { file: settings.yaml }
fanout: names
nodes:
  - id: source
    task: t.mjs
    description: writes one raw file per series
    ticker_list: series
    outputs: ["raw/{ticker}.txt"]
  - id: bars
    task: t.mjs
    description: one per series
    per_ticker: true
    ticker_list: series
    inputs: ["raw/{ticker}.txt"]
    outputs: ["bars/{ticker}.txt"]
  - id: score
    task: t.mjs
    description: one per name, against the reference
    per_ticker: true
    inputs: [{ node: bars }, { node: bars, ticker: "{ref}" }]
    outputs: ["score/{ticker}.txt"]
  - id: total
    task: t.mjs
    description: every bar file
    inputs: [{ node: bars }]
    outputs: ["total.txt"]
`;

const dir = mkdtempSync(join(tmpdir(), 'dag-tickerlist-'));
mkdirSync(join(dir, 'raw'));
writeFileSync(join(dir, 'pipeline.dag.yaml'), DAG);
writeFileSync(join(dir, 't.mjs'), 'export default () => {};\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = { names: ['A', 'B'], series: ['A', 'B', 'REF'], ref: 'REF' };

describe('ticker_list: a per-ticker node over another config list than the DAG fan-out', () => {
  const plan = buildPlan(loadDagFile(join(dir, 'pipeline.dag.yaml')), config);
  const ids = [...plan.instances.keys()];

  test('the node has one instance per element of its own list; the others stay on the fan-out list', () => {
    expect(ids.filter((i) => i.startsWith('bars'))).toEqual(['bars[A]', 'bars[B]', 'bars[REF]']);
    expect(ids.filter((i) => i.startsWith('score'))).toEqual(['score[A]', 'score[B]']);
    expect(plan.tickers).toEqual(['A', 'B']);
  });

  test('a single node expands its {ticker} paths over its own list, and each file has its producer', () => {
    expect(plan.instances.get('source')!.outputs).toEqual(['raw/A.txt', 'raw/B.txt', 'raw/REF.txt']);
    expect(plan.instances.get('bars[REF]')!.deps).toEqual(['source']);
  });

  test('same-ticker and template inputs resolve in the upstream list; `all` takes every instance', () => {
    expect(plan.instances.get('score[A]')!.deps).toEqual(['bars[A]', 'bars[REF]']);
    expect(plan.instances.get('total')!.deps).toEqual(['bars[A]', 'bars[B]', 'bars[REF]']);
  });

  test('a template naming an element outside the upstream list is an error naming the list', () => {
    expect(() => buildPlan(loadDagFile(join(dir, 'pipeline.dag.yaml')), { ...config, ref: 'ZZZ' })).toThrow(/input 'bars' asks for ticker 'ZZZ', which is not in 'series'/);
  });

  test('a ticker_list key that is not a list of strings is an error naming the node', () => {
    expect(() => buildPlan(loadDagFile(join(dir, 'pipeline.dag.yaml')), { ...config, series: 'A,B' })).toThrow(/config key 'series' \(node 'source' ticker_list\) must be a list of strings/);
  });
});

describe('--ticker with a ticker_list element that is not in the fan-out list', () => {
  test('selects that element\'s instances (the benchmark\'s bars, say); an unknown value names both lists', async () => {
    const { dag } = await import('../support/cli.js');
    const cli = mkdtempSync(join(tmpdir(), 'dag-tickerlist-cli-'));
    writeFileSync(join(cli, 'pipeline.dag.yaml'), DAG);
    writeFileSync(join(cli, 'settings.yaml'), 'names: [A, B]\nseries: [A, B, REF]\nref: REF\n');
    // writes every declared output
    writeFileSync(join(cli, 't.mjs'), 'export default (ctx) => { for (const o of ctx.spec.outputs) ctx.writeBytes(o, "x"); };\n');
    const r = dag(cli, ['run', 'bars', '--ticker', 'REF', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const run = (JSON.parse(r.stdout) as { instances: { node: string; ticker: string | null; action: string }[] }).instances;
    expect(run.filter((i) => i.node === 'bars').map((i) => i.ticker)).toEqual(['REF']);
    const bad = dag(cli, ['run', 'bars', '--ticker', 'NOPE']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--ticker NOPE: not in 'names' (tickers: A, B) nor a ticker_list of a node (REF)");
    rmSync(cli, { recursive: true, force: true });
  });
});
