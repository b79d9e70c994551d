import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, dagAsync, ran, runJson } from '../support/cli.js';

const waitFor = async (cond: () => boolean, ms = 20000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('failures, resume, locking, atomic outputs', () => {
  test('a failing instance: non-zero exit, summary names node, ticker and error; others stay cached; rerun resumes', () => {
    const dir = makeToyProject(['A', 'B', 'C', 'D']);
    writeFileSync(join(dir, 'raw/B.txt'), 'fail');
    const r = dag(dir, ['run', 'all', '--concurrency', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED double ticker B: cannot double B: raw value is "fail"/);
    expect(existsSync(join(dir, 'out/total.txt'))).toBe(false);
    const st = JSON.parse(dag(dir, ['status', '--json']).stdout).instances as { node: string; ticker: string; state: string }[];
    expect(st.find((i) => i.ticker === 'B')!.state).toBe('failed');
    writeFileSync(join(dir, 'raw/B.txt'), '2');
    const again = runJson(dir, ['run', 'all']);
    // A finished before the failure and is not recomputed
    expect(ran(again)).not.toContain('double[A]');
    expect(ran(again)).toContain('double[B]');
    expect(ran(again)).toContain('total');
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe(String(2 * (1 + 2 + 3 + 4)));
  });

  test('--keep-going runs independent branches after a failure and blocks only dependants', () => {
    const dir = makeToyProject(['A', 'B', 'C']);
    writeFileSync(join(dir, 'raw/B.txt'), 'fail');
    const s = runJson(dir, ['run', 'all', '--keep-going', '--concurrency', '1']);
    expect(s.failed).toBe(1);
    expect(ran(s)).toEqual(['bench', 'double[A]', 'double[C]']);
    expect(s.instances.find((i) => i.node === 'total')!.action).toBe('blocked');
  });

  test('a second concurrent run is refused at once, naming the holder; a killed run leaves no half-written output and its lock is cleared', async () => {
    const dir = makeToyProject(['A', 'B']);
    writeFileSync(join(dir, 'raw/B.txt'), 'partial');
    const child = dagAsync(dir, ['run', 'all']);
    const lock = join(dir, 'artifacts/.dag/lock');
    await waitFor(() => existsSync(lock));
    // wait until B has staged its output and is hanging
    await waitFor(() => existsSync(join(dir, 'out/double')) && readdirSync(join(dir, 'out/double')).some((f) => f.includes('.tmp-')));
    const second = dag(dir, ['run', 'all']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`another dag run holds .*lock: pid ${child.pid}`));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // the staged write never reached its final path
    expect(existsSync(join(dir, 'out/double/B.txt'))).toBe(false);
    writeFileSync(join(dir, 'raw/B.txt'), '5');
    const after = runJson(dir, ['run', 'all']);
    expect(after.failed).toBe(0);
    expect(readFileSync(join(dir, 'out/double/B.txt'), 'utf8')).toBe('10');
  });
});
