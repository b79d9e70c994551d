import { describe, expect, test } from '@jest/globals';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag, runJson } from '../support/cli.js';
import { differingFiles } from '../support/artifacts.js';
import { appendReadings, dateOf, makeIncrementalToy, restate, writeToySettings } from '../support/incrementalToy.js';

/**
 * Incremental runs as a declared feature of the engine, on a toy DAG (test/support/
 * incrementalToy.ts) whose nodes declare each kind: the oracle is a full run on the same inputs,
 * whose every artifact must have the same bytes.
 */

type Summary = ReturnType<typeof runJson>;
const reasonsOf = (s: Summary, node: string, ticker: string | null = null) => {
  const i = s.instances.find((x) => x.node === node && x.ticker === ticker);
  if (!i) throw new Error(`no instance ${node}[${ticker}] in the run`);
  return { action: i.action, reasons: i.reasons };
};
const incrementalFrom = (s: Summary, node: string, ticker: string | null = null) =>
  reasonsOf(s, node, ticker).reasons.find((r) => r.startsWith('incremental from'))?.slice('incremental from '.length);

const BASE = 40;

/** A full run on the same raw files and settings, in a folder of its own. */
function fullRunLike(dir: string, rows: number, settings: Record<string, unknown> = {}): string {
  const full = makeIncrementalToy(rows, settings);
  for (const s of ['a', 'b']) writeFileSync(join(full, `raw/${s}.csv`), readFileSync(join(dir, `raw/${s}.csv`)));
  expect(runJson(full, ['run', 'all']).failed).toBe(0);
  return full;
}

describe('appending rows and running the incremental target equals a full run', () => {
  test.each([1, 3, 30])('%i new row(s) per input: each declared node runs from the first new date, and every artifact has the bytes of a full run', (k) => {
    const dir = makeIncrementalToy(BASE);
    expect(runJson(dir, ['run', 'all']).failed).toBe(0);
    appendReadings(dir, BASE, BASE + k);
    const s = runJson(dir, ['run', 'update']);
    expect(s.failed).toBe(0);
    const first = dateOf(BASE);
    for (const t of ['a', 'b']) {
      expect(reasonsOf(s, 'readings', t).action).toBe('ran');
      expect(incrementalFrom(s, 'readings', t)).toBeUndefined(); // a source always runs in full
      expect(incrementalFrom(s, 'smooth', t)).toBe(first);
      expect(incrementalFrom(s, 'level', t)).toBe(first);
    }
    expect(incrementalFrom(s, 'spread')).toBe(first);
    expect(reasonsOf(s, 'summary').action).toBe('ran');
    expect(incrementalFrom(s, 'summary')).toBeUndefined(); // no declaration: always in full
    expect(differingFiles(dir, fullRunLike(dir, BASE + k))).toEqual([]);
  });

  test('a second incremental run with nothing new runs nothing', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    const s = runJson(dir, ['run', 'update']);
    expect(s.executed).toBe(0);
  });
});

describe('what an incremental run cannot update is rebuilt in full, and still equals a full run', () => {
  test('a restated row rebuilds that input\'s chain, and what spans every input, in full; the others stay incremental', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    restate(dir, 'a', 20, '99.5');
    appendReadings(dir, BASE, BASE + 2);
    const r = dag(dir, ['run', 'update', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`readings[a]: an existing row changed (restated on ${dateOf(20)})`);
    const s = JSON.parse(r.stdout) as Summary;
    for (const node of ['smooth', 'level']) {
      expect(reasonsOf(s, node, 'a').action).toBe('ran');
      expect(incrementalFrom(s, node, 'a')).toBeUndefined();
      expect(incrementalFrom(s, node, 'b')).toBe(dateOf(BASE));
    }
    expect(reasonsOf(s, 'spread').action).toBe('ran');
    expect(incrementalFrom(s, 'spread')).toBeUndefined();
    expect(differingFiles(dir, fullRunLike(dir, BASE + 2))).toEqual([]);
  });

  test('a changed param rebuilds its node and everything downstream in full; upstream stays as it was', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    writeToySettings(dir, { scale: 3 });
    appendReadings(dir, BASE, BASE + 1);
    const s = runJson(dir, ['run', 'update']);
    for (const t of ['a', 'b']) {
      expect(reasonsOf(s, 'smooth', t).reasons).toContain('param changed: scale');
      for (const node of ['smooth', 'level']) {
        expect(reasonsOf(s, node, t).action).toBe('ran');
        expect(incrementalFrom(s, node, t)).toBeUndefined();
      }
    }
    expect(reasonsOf(s, 'spread').action).toBe('ran');
    expect(incrementalFrom(s, 'spread')).toBeUndefined();
    expect(differingFiles(dir, fullRunLike(dir, BASE + 1, { scale: 3 }))).toEqual([]);
  });

  test('a changed task module rebuilds its node and everything downstream in full', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    appendFileSync(join(dir, 'tasks/level.mjs'), '// edited\n');
    appendReadings(dir, BASE, BASE + 1);
    const s = runJson(dir, ['run', 'update']);
    expect(incrementalFrom(s, 'smooth', 'a')).toBe(dateOf(BASE));
    expect(reasonsOf(s, 'level', 'a').reasons).toContain('code changed: tasks/level.mjs');
    expect(incrementalFrom(s, 'level', 'a')).toBeUndefined();
    expect(incrementalFrom(s, 'spread')).toBe(dateOf(BASE)); // not downstream of level
    expect(reasonsOf(s, 'summary').action).toBe('ran');
  });
});

describe('--since', () => {
  test('recomputes row-wise and earliest-change nodes from that date even when nothing changed, and the bytes stay those of a full run', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    const s = runJson(dir, ['run', 'update', '--since', dateOf(30)]);
    for (const t of ['a', 'b']) expect(incrementalFrom(s, 'smooth', t)).toBe(dateOf(30));
    expect(incrementalFrom(s, 'spread')).toBe(dateOf(30));
    // a node that carries state has nothing to recompute from an earlier date: its inputs' bytes did not change
    expect(reasonsOf(s, 'level', 'a').action).toBe('skipped');
    expect(differingFiles(dir, fullRunLike(dir, BASE))).toEqual([]);
  });
});

describe('a node a user adds to the DAG file', () => {
  test('with an `incremental` declaration it is updated incrementally (`dag run <node> --incremental`), with no change to the engine', () => {
    const dir = makeIncrementalToy(BASE);
    const node = `  - id: delta
    task: tasks/delta.mjs
    description: day-on-day change of the readings
    per_ticker: true
    inputs: [{ node: readings }]
    outputs: ["artifacts/delta/{ticker}.parquet"]
    incremental: { kind: rows, lookback: 1 }
`;
    appendFileSync(join(dir, 'pipeline.dag.yaml'), node);
    expect(runJson(dir, ['run', 'delta']).failed).toBe(0);
    appendReadings(dir, BASE, BASE + 3);
    const s = runJson(dir, ['run', 'delta', '--incremental']);
    for (const t of ['a', 'b']) expect(incrementalFrom(s, 'delta', t)).toBe(dateOf(BASE));
    const full = makeIncrementalToy(BASE + 3);
    appendFileSync(join(full, 'pipeline.dag.yaml'), node);
    runJson(full, ['run', 'delta']);
    expect(differingFiles(dir, full)).toEqual([]);
  });
});

describe('bad declarations are errors naming the file and the field', () => {
  const withDecl = (from: string, to: string) => {
    const dir = makeIncrementalToy(3);
    const file = join(dir, 'pipeline.dag.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
    return dag(dir, ['run', 'update']);
  };
  test.each([
    ['an unknown kind', 'incremental: { kind: carry }', 'incremental: { kind: sometimes }', /pipeline\.dag\.yaml: nodes\.2\.incremental\.kind: .*source, rows, carry or earliest/],
    ['a negative look-back', 'lookback: 2', 'lookback: -1', /pipeline\.dag\.yaml: nodes\.1\.incremental\.lookback: /],
    ['a look-back on a kind that has none', 'incremental: { kind: carry }', 'incremental: { kind: carry, lookback: 3 }', /pipeline\.dag\.yaml: nodes\.2\.incremental\.lookback: unknown key/],
    ['an unknown target mode', 'mode: incremental', 'mode: sometimes', /pipeline\.dag\.yaml: targets\.update\.mode: expected full or incremental/],
    ['an excluded node that does not exist', 'mode: incremental }', 'mode: incremental, exclude: [nope] }', /pipeline\.dag\.yaml: targets\.update\.exclude: unknown node 'nope'/],
  ])('%s: exit 2', (_what, from, to, message) => {
    const r = withDecl(from, to);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
