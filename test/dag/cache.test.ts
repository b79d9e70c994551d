import { describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, ran, runJson } from '../support/cli.js';

const status = (dir: string) => JSON.parse(dag(dir, ['status', '--json']).stdout).instances as { node: string; ticker: string | null; state: string; reasons: string[] }[];
const notFresh = (dir: string) => status(dir).filter((i) => i.state !== 'fresh');

describe('content-hashed cache', () => {
  test('first run executes everything with correct results; second run executes nothing', () => {
    const dir = makeToyProject();
    const first = runJson(dir, ['run', 'all']);
    expect(ran(first)).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]', 'total']);
    // raw 1,2,3 times factor 2
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('12');
    expect(readFileSync(join(dir, 'out/bench.txt'), 'utf8')).toBe('2');
    const second = runJson(dir, ['run', 'all']);
    expect(second.executed).toBe(0);
    expect(second.skipped).toBe(5);
    expect(notFresh(dir)).toEqual([]);
  });

  test('a code change makes exactly the instances using that code stale, with the file as reason', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'tasks/helper.mjs'), 'export const helper = (x) => x + 0; // edited\n');
    const stale = notFresh(dir).filter((i) => i.reasons.some((r) => r.startsWith('code changed')));
    expect(stale.map((i) => i.ticker).sort()).toEqual(['A', 'B', 'C']);
    expect(stale[0].reasons).toContain('code changed: tasks/helper.mjs');
    // outputs are byte-identical, so total and bench are not recomputed
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['double[A]', 'double[B]', 'double[C]']);
  });

  test('a param change makes its readers stale and a run recomputes them and what their outputs feed', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), 'tickers: [A, B, C]\nbenchmark: A\nfactor: 3\n');
    const direct = notFresh(dir).filter((i) => i.reasons.includes('param changed: factor'));
    expect(direct.map((i) => `${i.node}[${i.ticker}]`).sort()).toEqual(['double[A]', 'double[B]', 'double[C]']);
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]', 'total']);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('18');
  });

  test("one ticker's input change reruns only that ticker's chain", () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'raw/B.txt'), '10');
    const stale = notFresh(dir);
    expect(stale.map((i) => `${i.node}${i.ticker ? `[${i.ticker}]` : ''}`).sort()).toEqual(['double[B]', 'total']);
    expect(stale.find((i) => i.ticker === 'B')!.reasons).toEqual(['input changed: raw/B.txt']);
    expect(ran(runJson(dir, ['run', 'all']))).toEqual(['double[B]', 'total']);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('28');
  });

  test('an output changed outside dag is detected, kept until the user says --overwrite, then rebuilt', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'out/double/C.txt'), '999');
    expect(notFresh(dir).find((i) => i.ticker === 'C')!.reasons).toContain('output modified outside dag: out/double/C.txt');
    // the user's edit is not silently replaced (docs/reliability.md, rule 1)
    const refused = dag(dir, ['run', 'all']);
    expect(refused.code).toBe(1);
    expect(readFileSync(join(dir, 'out/double/C.txt'), 'utf8')).toBe('999');
    expect(ran(runJson(dir, ['run', 'all', '--overwrite']))).toEqual(['double[C]']);
    expect(readFileSync(join(dir, 'out/double/C.txt'), 'utf8')).toBe('6');
  });

  test('an output deleted outside dag is restored from the store, or rebuilt without it', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    rmSync(join(dir, 'out/double/C.txt'));
    expect(notFresh(dir).find((i) => i.ticker === 'C')!.reasons).toContain('output missing: out/double/C.txt (in cache: will restore)');
    const restored = runJson(dir, ['run', 'all']);
    expect(restored.instances.filter((i) => i.action !== 'skipped').map((i) => `${i.action} ${i.node}[${i.ticker}]`)).toEqual(['restored double[C]']);
    expect(readFileSync(join(dir, 'out/double/C.txt'), 'utf8')).toBe('6');
    rmSync(join(dir, 'out/double/C.txt'));
    expect(ran(runJson(dir, ['run', 'all', '--no-cache']))).toEqual(['double[C]']);
    expect(readFileSync(join(dir, 'out/double/C.txt'), 'utf8')).toBe('6');
  });

  test('--dry-run lists what would run and executes nothing; --force reruns', () => {
    const dir = makeToyProject();
    const dry = runJson(dir, ['run', 'all', '--dry-run']);
    expect(dry.instances.every((i) => i.action === 'would-run')).toBe(true);
    expect(status(dir).every((i) => i.state === 'missing')).toBe(true);
    runJson(dir, ['run', 'all']);
    expect(runJson(dir, ['run', 'all', '--force']).executed).toBe(5);
  });

  test('--ticker limits per-ticker work and leaves out nodes that need other tickers', () => {
    const dir = makeToyProject();
    const s = runJson(dir, ['run', 'all', '--ticker', 'B']);
    expect(ran(s)).toEqual(['double[B]']);
    const s2 = runJson(dir, ['run', 'all', '--ticker', 'A']);
    // bench needs only the benchmark A, so it fits the selection; total needs every ticker
    expect(ran(s2)).toEqual(['bench', 'double[A]']);
  });
});
