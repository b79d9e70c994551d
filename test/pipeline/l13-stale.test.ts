/**
 * Cache invalidation of layers 1-3 through the real CLI: after a full `dag run backtest` on the
 * sample market, adding a window to features.lookbacks.sma makes `features` and every node
 * downstream of it stale in `dag status --json` — downstream computed here from the node inputs in
 * pipeline.dag.yaml, not taken from the orchestrator — while `sample`, `processed` and the other
 * nodes that do not read features stay fresh; a rerun then executes exactly the stale instances.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dagIn, makeWorkdir, readSettings, REPO, SMALL, writeSettings } from '../support/pipeline.js';

interface Status {
  instances: { node: string; ticker: string | null; state: string; reasons: string[] }[];
}

/** Nodes reachable from `start` along declared inputs (start included). */
function downstreamOf(start: string): Set<string> {
  const dag = parse(readFileSync(join(REPO, 'pipeline.dag.yaml'), 'utf8')) as { nodes: { id: string; inputs?: unknown[] }[] };
  const readsFrom = new Map(dag.nodes.map((n) => [n.id, (n.inputs ?? []).flatMap((i) => (typeof i === 'object' && i && 'node' in i ? [String((i as { node: string }).node)] : []))]));
  const out = new Set([start]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, ups] of readsFrom) if (!out.has(id) && ups.some((u) => out.has(u))) (out.add(id), (grew = true));
  }
  return out;
}

function status(dir: string): Status {
  const r = dagIn(dir, ['status', '--json']);
  return JSON.parse(r.stdout) as Status;
}

let dir: string;
let before: Status;
let after: Status;

beforeAll(() => {
  dir = makeWorkdir(SMALL);
  const r = dagIn(dir, ['run', 'backtest']);
  if (r.code !== 0) throw new Error(`dag run backtest failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  before = status(dir);
  const s = readSettings(dir);
  s.features.lookbacks.sma = [...s.features.lookbacks.sma, 100];
  writeSettings(dir, s);
  after = status(dir);
});

describe('changing features.lookbacks.sma', () => {
  test('after the full run everything is fresh', () => {
    expect(before.instances.length).toBeGreaterThan(10);
    expect(before.instances.filter((i) => i.state !== 'fresh')).toEqual([]);
  });

  test('features and everything downstream are stale; sample, processed and the rest stay fresh', () => {
    const down = downstreamOf('features');
    // sanity of the independent graph walk
    for (const n of ['features', 'signals', 'train', 'predict', 'meta', 'positions', 'backtest', 'report']) expect(down.has(n)).toBe(true);
    for (const n of ['sample', 'processed', 'regime']) expect(down.has(n)).toBe(false);
    const nodes = new Set(after.instances.map((i) => i.node));
    for (const n of ['sample', 'processed', 'regime', 'features', 'signals']) expect(nodes.has(n)).toBe(true);
    const wrong = after.instances
      .filter((i) => (i.state === 'stale') !== down.has(i.node))
      .map((i) => `${i.node}${i.ticker ? `[${i.ticker}]` : ''}: ${i.state} (${i.reasons.join('; ')})`);
    expect(wrong).toEqual([]);
    for (const i of after.instances.filter((x) => x.node === 'features')) expect(i.reasons).toContain('param changed: features.lookbacks.sma');
  });

  test('a rerun of signals executes features and signals only, and the new column appears', () => {
    const r = dagIn(dir, ['run', 'signals', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { instances: { node: string; action: string }[] };
    const ran = [...new Set(summary.instances.filter((i) => i.action === 'ran').map((i) => i.node))].sort();
    expect(ran).toEqual(['features', 'signals']);
    const header = readFileSync(join(dir, 'artifacts/features', `${readSettings(dir).benchmark}.parquet`));
    expect(header.includes(Buffer.from('sma_100'))).toBe(true);
  });
});
