import { describe, expect, test } from '@jest/globals';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('dag status names how a raw CSV changed', () => {
  test('rows appended: "N new rows"; an old row changed as well: "existing rows changed, N rows more"', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    const reasons = () => (JSON.parse(dag(dir, ['status', '--json']).stdout) as { instances: { node: string; ticker: string | null; reasons: string[] }[] }).instances
      .find((i) => i.node === 'readings' && i.ticker === 'a')!.reasons;
    appendReadings(dir, BASE, BASE + 2);
    expect(reasons()).toEqual(['input changed: 2 new rows in raw/a.csv']);
    restate(dir, 'a', 20, '99.5');
    expect(reasons()).toEqual(['input changed: raw/a.csv (existing rows changed, 2 rows more)']);
  });

  test('a file without a line break after its last row: a row added after one is new, a last row that went on is changed', () => {
    const dir = makeIncrementalToy(BASE);
    const file = join(dir, 'raw/a.csv');
    writeFileSync(file, readFileSync(file, 'utf8').trimEnd());
    runJson(dir, ['run', 'all']);
    const reasons = () => (JSON.parse(dag(dir, ['status', '--json']).stdout) as { instances: { node: string; ticker: string | null; reasons: string[] }[] }).instances
      .find((i) => i.node === 'readings' && i.ticker === 'a')!.reasons;
    const unbroken = readFileSync(file, 'utf8');
    writeFileSync(file, `${unbroken}\n${dateOf(BASE)},1.5\n`);
    expect(reasons()).toEqual(['input changed: 1 new row in raw/a.csv']);
    writeFileSync(file, `${unbroken}9\n${dateOf(BASE)},1.5\n`);
    expect(reasons()).toEqual(['input changed: raw/a.csv (existing rows changed, 1 row more)']);
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

  test('--dry-run plans what the run would do from that date, checks the date when no source would run first, and says so when one would', () => {
    const dir = makeIncrementalToy(BASE);
    runJson(dir, ['run', 'all']);
    const dry = runJson(dir, ['run', 'update', '--since', dateOf(30), '--dry-run']);
    const wet = runJson(dir, ['run', 'update', '--since', dateOf(30)]);
    const ids = (s: Summary, action: string) => s.instances.filter((i) => i.action === action).map((i) => `${i.node}[${i.ticker}]`).sort();
    expect(ids(dry, 'would-run')).toEqual(ids(wet, 'ran'));
    expect(ids(dry, 'would-run').length).toBeGreaterThan(0);
    const after = dag(dir, ['run', 'update', '--since', dateOf(BASE + 5), '--dry-run']);
    expect([after.code, after.stderr]).toEqual([2, expect.stringContaining(`dag: --since ${dateOf(BASE + 5)}: after the last row of every readings table`)]);
    // with new rows the sources run first: the date cannot be checked against tables they have not written
    appendReadings(dir, BASE, BASE + 1);
    const pending = dag(dir, ['run', 'update', '--since', dateOf(BASE + 5), '--dry-run']);
    expect([pending.code, pending.stderr]).toEqual([0, expect.stringContaining(`--dry-run: --since ${dateOf(BASE + 5)} is checked against the tables of the sources once they have run, and 2 of them would run first: not checked here`)]);
    // and a dry run with nothing to do says "would run 0", not "ran 0"
    runJson(dir, ['run', 'all']);
    expect(dag(dir, ['run', 'update', '--dry-run']).stdout).toMatch(/^update: would run 0, skipped \d+ \(cached\)/m);
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

describe('a target\'s `exclude`', () => {
  // `fit` (one instance per element of `fits`) and `model` (what assembles them) are kept as they
  // are by `update_kept`, as a daily run keeps trained models
  const nodes = `  - id: fit
    task: tasks/fit.mjs
    description: one fitted number per element of fits
    fanout: { over: fits }
    inputs: [{ node: readings, ticker: all }]
    outputs: ["artifacts/fit/{item}.json"]
  - id: model
    task: tasks/model.mjs
    description: the fitted numbers together
    inputs: [{ node: fit }]
    outputs: ["artifacts/model.json"]
  - id: scored
    task: tasks/scored.mjs
    description: smoothed values minus the model's offset
    per_ticker: true
    inputs: [{ node: smooth }, { node: model }]
    outputs: ["artifacts/scored/{ticker}.parquet"]
    incremental: { kind: rows, lookback: 0 }
`;
  const setup = () => {
    const dir = makeIncrementalToy(BASE, { fits: ['x'] });
    const file = join(dir, 'pipeline.dag.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('nodes:\n', '  update_kept: { nodes: [scored], mode: incremental, exclude: [fit, model] }\nnodes:\n') + nodes);
    writeFileSync(join(dir, 'tasks/fit.mjs'), `export default function (ctx) {
  ctx.writeJson('artifacts/fit/' + ctx.requireItem().key + '.json', { n: ctx.inputs('readings').length });
}
`);
    writeFileSync(join(dir, 'tasks/model.mjs'), `export default function (ctx) {
  ctx.writeJson('artifacts/model.json', { offset: ctx.inputs('fit').length });
}
`);
    writeFileSync(join(dir, 'tasks/scored.mjs'), `export default async function (ctx) {
  const t = ctx.requireTicker();
  const { offset } = JSON.parse(ctx.readText('artifacts/model.json'));
  const w = await ctx.rowWindow('artifacts/smooth/' + t + '.parquet');
  const v = Float64Array.from(w.table.columns.value, (x) => x - offset);
  await w.write('artifacts/scored/' + t + '.parquet', { length: v.length, columns: { date: w.table.columns.date, value: v } }, [{ name: 'date', kind: 'date' }, { name: 'value', kind: 'double' }]);
}
`);
    expect(runJson(dir, ['run', 'scored']).failed).toBe(0);
    return dir;
  };

  test('excluded nodes never run, even when their fan-out list grew; their readers use the outputs as they are', () => {
    const dir = setup();
    writeToySettings(dir, { fits: ['x', 'y'] });
    appendReadings(dir, BASE, BASE + 2);
    const s = runJson(dir, ['run', 'update_kept']);
    expect(s.failed).toBe(0);
    expect(s.instances.filter((i) => i.node === 'fit' || i.node === 'model')).toEqual([]);
    expect(incrementalFrom(s, 'scored', 'a')).toBe(dateOf(BASE));
    expect(JSON.parse(readFileSync(join(dir, 'artifacts/model.json'), 'utf8'))).toEqual({ offset: 1 });
  });

  test('an excluded node a full run would rebuild otherwise than for new rows is worth a warning; new rows alone are not', () => {
    const dir = setup();
    const warning = /fit: 1 instance\(s\) that target 'update_kept' excludes are out of date \((.*)\): this run used their outputs from before, which a full run would rebuild; run a target that includes fit to rebuild them/;
    // days of new rows: fit[x] is stale, but a full run would fit what it fitted; also after a
    // day whose run failed once the sources had run, and without the file of what runs found
    const scored = join(dir, 'tasks/scored.mjs');
    const task = readFileSync(scored, 'utf8');
    for (const k of [0, 2, 4, 6]) {
      appendReadings(dir, BASE + k, BASE + k + 2);
      if (k === 2) writeFileSync(scored, 'export default function () { throw new Error("down today"); }\n');
      if (k === 6) rmSync(join(dir, 'artifacts/.dag/excluded.json'), { force: true });
      const appended = dag(dir, ['run', 'update_kept']);
      expect([appended.code, appended.stderr]).toEqual([k === 2 ? 1 : 0, expect.not.stringMatching(/out of date/)]);
      writeFileSync(scored, task);
    }
    // fit[x] reads every row of a: a restated one is not what its output was made from
    restate(dir, 'a', 20, '99.5');
    const restated = dag(dir, ['run', 'update_kept']);
    expect(restated.code).toBe(0);
    expect(warning.exec(restated.stderr)?.[1]).toMatch(/^input changed other than by new rows: artifacts\/readings\/a\./);
    // the model reads fit's outputs, which did not change
    expect(restated.stderr).not.toMatch(/model: .* out of date/);
    // the next day's new rows do not make the restatement go away: only a run of fit does
    appendReadings(dir, BASE + 8, BASE + 9);
    expect(warning.exec(dag(dir, ['run', 'update_kept']).stderr)?.[1]).toMatch(/^input changed other than by new rows/);
    expect(runJson(dir, ['run', 'model']).failed).toBe(0);
    appendReadings(dir, BASE + 9, BASE + 10);
    expect(dag(dir, ['run', 'update_kept']).stderr).not.toMatch(/out of date/);
  });

  test('dag status of the target shows what its run works on: the excluded nodes are named, not counted', () => {
    const dir = setup();
    writeToySettings(dir, { fits: ['x', 'y'] });
    appendReadings(dir, BASE, BASE + 2);
    const all = JSON.parse(dag(dir, ['status', '--json']).stdout) as { instances: { node: string; state: string }[] };
    // the whole DAG: fit[x] (new readings), the grown fan-out's fit[y] and the model need a run
    expect(all.instances.filter((i) => i.node === 'fit' || i.node === 'model').map((i) => i.state).sort()).toEqual(['missing', 'stale', 'stale']);
    const st = JSON.parse(dag(dir, ['status', 'update_kept', '--json']).stdout) as { instances: { node: string }[]; excluded: string[] };
    expect(st.excluded).toEqual(['fit', 'model']);
    expect(new Set(st.instances.map((i) => i.node))).toEqual(new Set(['readings', 'smooth', 'scored']));
    // and the dry run of the target plans the same instances
    const dry = dag(dir, ['run', 'update_kept', '--dry-run']);
    const text = dag(dir, ['status', 'update_kept']).stdout;
    expect(text).toContain("not run by target 'update_kept' (excluded, their outputs are used as they are): fit, model");
    const need = /(\d+) of (\d+) instances need a run/.exec(text)!;
    expect(dry.stderr + dry.stdout).toContain(`update_kept: would run ${need[1]}, skipped ${Number(need[2]) - Number(need[1])} (cached)`);
  });

  test('an excluded node\'s output that a kept node reads and that does not exist: exit 2 naming the node', () => {
    const dir = setup();
    rmSync(join(dir, 'artifacts/model.json'));
    const r = dag(dir, ['run', 'update_kept']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("dag: target 'update_kept' excludes node 'model', but scored[a] reads its output artifacts/model.json, which does not exist");
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

describe('an incremental run and the bullmq executor', () => {
  test('--executor bullmq is refused before anything runs; executor.kind bullmq in the settings runs locally and says so', () => {
    const dir = makeIncrementalToy(BASE);
    expect(runJson(dir, ['run', 'all']).failed).toBe(0);
    appendReadings(dir, BASE, BASE + 1);
    const refused = dag(dir, ['run', 'update', '--executor', 'bullmq']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('dag run update: an incremental run continues from the outputs in this folder, so it runs on the local executor: drop --executor bullmq');
    expect(JSON.parse(dag(dir, ['status', '--json']).stdout).instances.find((i: { node: string; ticker: string }) => i.node === 'readings' && i.ticker === 'a').state).toBe('stale');
    // no Redis runs on this port: the run never connects to it
    writeToySettings(dir, { executor: { kind: 'bullmq', redis: 'redis://127.0.0.1:9' } });
    const r = dag(dir, ['run', 'update']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`update runs incrementally on the local executor (executor.kind bullmq in ${join(dir, 'settings.yaml')} is for full runs)`);
    expect(JSON.parse(dag(dir, ['status', '--json']).stdout).instances.every((i: { state: string }) => i.state === 'fresh')).toBe(true);
  });
});
