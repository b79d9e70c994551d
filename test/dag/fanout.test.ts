import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dag, ran, runJson } from '../support/cli.js';

/**
 * A toy DAG with both kinds of list fan-out: `power` over a config list (base ** exponent +
 * offset, one instance per exponent), `scaled` over a list a module derives from the config
 * (one instance per entry of the `scales` map, each reading its own factor from its element),
 * and `sum` over every instance of both.
 */
const DAG = `version: 1
config: { file: settings.yaml }
fanout: tickers
targets: { all: [sum] }
nodes:
  - id: power
    task: tasks/power.mjs
    description: base to the power of one exponent
    fanout: { over: exponents }
    inputs: ["raw/base.txt"]
    outputs: ["out/power/{item}.txt"]
    params: [offset]
  - id: scaled
    task: tasks/scaled.mjs
    description: base times one scale
    fanout: { derive: lib/scales.mjs, from: [scales] }
    inputs: ["raw/base.txt"]
    outputs: ["out/scaled/{item}.txt"]
  - id: sum
    task: tasks/sum.mjs
    description: the sum of every power and every scaled value
    inputs: [{ node: power }, { node: scaled }]
    outputs: ["out/sum.txt"]
`;

const FILES: Record<string, string> = {
  'pipeline.dag.yaml': DAG,
  'raw/base.txt': '3',
  'tasks/power.mjs': `export default function (ctx) {
  const { key, value } = ctx.requireItem();
  const base = Number(ctx.readText('raw/base.txt'));
  ctx.writeBytes('out/power/' + key + '.txt', String(base ** value + ctx.param('offset')));
}
`,
  'tasks/scaled.mjs': `export default function (ctx) {
  const { key, value } = ctx.requireItem();
  ctx.writeBytes('out/scaled/' + key + '.txt', String(Number(ctx.readText('raw/base.txt')) * value.factor));
}
`,
  // the deriver sees only the keys the node lists in fanout.from
  'lib/scales.mjs': `export default function (cfg) {
  if ('exponents' in cfg) throw new Error('the deriver saw a key it did not declare');
  return Object.entries(cfg.scales).map(([key, factor]) => ({ key, factor }));
}
`,
  'tasks/sum.mjs': `export default function (ctx) {
  const s = ctx.inputs().filter((r) => r.path.startsWith('out/')).reduce((a, r) => a + Number(ctx.readText(r.path)), 0);
  ctx.writeBytes('out/sum.txt', String(s));
}
`,
};

function project(settings: string, dagText = DAG): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-fanout-'));
  for (const sub of ['tasks', 'raw', 'lib']) mkdirSync(join(dir, sub));
  for (const [name, text] of Object.entries({ ...FILES, 'pipeline.dag.yaml': dagText, 'settings.yaml': settings })) writeFileSync(join(dir, name), text);
  return dir;
}

const SETTINGS = 'tickers: [A]\nexponents: [2, 3]\noffset: 1\nscales: { a: 2, b: 5 }\n';
const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');

describe('a node fans out over a list', () => {
  test('one instance per element of a config list, each with its element', () => {
    const dir = project(SETTINGS);
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['power[2]', 'power[3]', 'scaled[a]', 'scaled[b]', 'sum']);
    // 3^2 + 1, 3^3 + 1, 3 x 2, 3 x 5
    expect([read(dir, 'out/power/2.txt'), read(dir, 'out/power/3.txt')]).toEqual(['10', '28']);
    expect([read(dir, 'out/scaled/a.txt'), read(dir, 'out/scaled/b.txt')]).toEqual(['6', '15']);
    expect(read(dir, 'out/sum.txt')).toBe(String(10 + 28 + 6 + 15));
    expect(runJson(dir, ['run', 'all']).executed).toBe(0);
    const graph = dag(dir, ['graph', '--format', 'text']).stdout;
    expect(graph).toContain('power [per element of exponents]  <- (raw inputs)');
    expect(graph).toContain('scaled [per element of lib/scales.mjs]');
  });

  test('changing one element reruns only its instance, and says which field changed', () => {
    const dir = project(SETTINGS);
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), SETTINGS.replace('b: 5', 'b: 7'));
    const status = JSON.parse(dag(dir, ['status', '--json']).stdout).instances as { node: string; item?: string; state: string; reasons: string[] }[];
    const stale = status.filter((i) => i.state !== 'fresh' && i.node === 'scaled');
    expect(stale.map((i) => i.item)).toEqual(['b']);
    expect(stale[0].reasons).toEqual(['fan-out element changed: factor']);
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['scaled[b]', 'sum']);
    expect(read(dir, 'out/scaled/b.txt')).toBe('21');
    expect(read(dir, 'out/sum.txt')).toBe(String(10 + 28 + 6 + 21));
  });

  test('adding an element runs only the new instance; a node-level param still reruns them all', () => {
    const dir = project(SETTINGS);
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), SETTINGS.replace('[2, 3]', '[2, 3, 4]'));
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['power[4]', 'sum']);
    expect(read(dir, 'out/power/4.txt')).toBe('82');
    writeFileSync(join(dir, 'settings.yaml'), SETTINGS.replace('[2, 3]', '[2, 3, 4]').replace('offset: 1', 'offset: 0'));
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['power[2]', 'power[3]', 'power[4]', 'sum']);
    expect(read(dir, 'out/sum.txt')).toBe(String(9 + 27 + 81 + 6 + 15));
  });

  test('bad lists are refused with the node and the element', () => {
    const dup = dag(project(SETTINGS.replace('[2, 3]', '[2, 2]')), ['run', 'all']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/node 'power'.*lists the key '2' twice/);
    const noKey = dag(project(SETTINGS.replace('[2, 3]', '[{ e: 2 }]')), ['run', 'all']);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toMatch(/node 'power'.*element 0 of config key 'exponents' needs a key/);
    const notList = dag(project(SETTINGS.replace('[2, 3]', '7')), ['run', 'all']);
    expect(notList.stderr).toMatch(/config key 'exponents' must give a list/);
    const both = dag(project(SETTINGS, DAG.replace('    fanout: { over: exponents }', '    fanout: { over: exponents }\n    per_ticker: true')), ['run', 'all']);
    expect(both.stderr).toMatch(/node 'power': per_ticker and fanout cannot be combined/);
  });
});
