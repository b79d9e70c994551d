import { describe, expect, test } from '@jest/globals';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject, TOY_DAG } from '../support/toyProject.js';
import { dag } from '../support/cli.js';

const withDag = (yaml: string) => {
  const dir = makeToyProject();
  writeFileSync(join(dir, 'pipeline.dag.yaml'), yaml);
  return dir;
};

describe('bad DAG files give clear errors (exit 2)', () => {
  test('a cycle is reported with its path', () => {
    const dir = withDag(TOY_DAG.replace('inputs: ["raw/{ticker}.txt"]', 'inputs: ["raw/{ticker}.txt", { node: total }]'));
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cycle: (double -> total -> double|total -> double -> total)/);
  });

  test('an unknown input node', () => {
    const r = dag(withDag(TOY_DAG.replace('[{ node: double }]', '[{ node: dubble }]')), ['run', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node 'total': unknown input node 'dubble'/);
  });

  test('a duplicate output path', () => {
    const r = dag(withDag(TOY_DAG.replace('outputs: ["out/bench.txt"]', 'outputs: ["out/total.txt"]')), ['run', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/output 'out\/total.txt' is declared by both 'total' and 'bench'/);
  });

  test('a missing task module', () => {
    const r = dag(withDag(TOY_DAG.replace('tasks/total.mjs', 'tasks/totl.mjs')), ['run', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node 'total': task module 'tasks\/totl.mjs' not found/);
  });

  test('a misspelled key gets a suggestion', () => {
    const r = dag(withDag(TOY_DAG.replace('    params: [factor]', '    parms: [factor]')), ['run', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nodes\.0\.parms: unknown key \(did you mean 'nodes\.0\.params'\?\)/);
  });

  test('a declared param the settings do not have names both files', () => {
    const dir = withDag(TOY_DAG.replace('    params: [factor]', '    params: [factr]'));
    const r = dag(dir, ['status']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`dag: ${join(dir, 'pipeline.dag.yaml')}: node 'double': declared param 'factr' is not a key of ${join(dir, 'settings.yaml')}`);
  });

  test('a node its `when:` leaves out may declare a param these settings do not have', () => {
    const off = `  - id: extra
    task: tasks/total.mjs
    description: only with another benchmark
    when: { benchmark: Z }
    inputs: [{ node: double }]
    outputs: ["out/extra.txt"]
    params: [only_for_z]
`;
    const dir = withDag(TOY_DAG + off);
    expect(dag(dir, ['status']).code).toBe(0);
    expect(dag(dir, ['run', 'all']).code).toBe(0);
  });

  test('an unknown target lists the choices', () => {
    const r = dag(makeToyProject(), ['run', 'everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown target 'everything'.*all.*double/);
  });
});

describe('the task contract', () => {
  test('reading an undeclared param fails the instance with a clear message', () => {
    const dir = makeToyProject();
    const src = readFileSync(join(dir, 'tasks/total.mjs'), 'utf8').replace("ctx.writeBytes('out/total.txt', String(s));", "ctx.param('benchmark'); ctx.writeBytes('out/total.txt', String(s));");
    writeFileSync(join(dir, 'tasks/total.mjs'), src);
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/total: .*param 'benchmark' is not declared/);
  });

  test('writing an undeclared output or reading an undeclared input fails', () => {
    const dir = makeToyProject();
    writeFileSync(join(dir, 'tasks/bench.mjs'), "export default function (ctx) { ctx.writeBytes('out/elsewhere.txt', 'x'); }\n");
    writeFileSync(join(dir, 'tasks/total.mjs'), "export default function (ctx) { ctx.readText('raw/A.txt'); }\n");
    const r = dag(dir, ['run', 'all', '--keep-going']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bench: .*'out\/elsewhere.txt' is not a declared output/);
    expect(r.stdout).toMatch(/total: .*'raw\/A.txt' is not a declared input/);
  });

  test('a task that does not write a declared output fails', () => {
    const dir = makeToyProject();
    writeFileSync(join(dir, 'tasks/bench.mjs'), 'export default function () {}\n');
    const r = dag(dir, ['run', 'bench']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/did not write its declared output\(s\): out\/bench.txt/);
  });
});
