import { describe, expect, test } from '@jest/globals';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag } from '../support/cli.js';
import { startDag, waitFor } from '../support/process.js';
import { makeToyProject } from '../support/toyProject.js';

interface SweepJson { variants: { id: string; overlay: Record<string, unknown>; dir: string; ran: string[]; executed: number; restored: number }[]; failed: number }

function sweep(dir: string, args: string[]): SweepJson {
  const r = dag(dir, ['sweep', 'all', ...args, '--json', '--concurrency', '2']);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SweepJson;
}

const count = (s: SweepJson) => {
  const m = new Map<string, number>();
  for (const v of s.variants) for (const id of v.ran) m.set(id, (m.get(id) ?? 0) + 1);
  return Object.fromEntries([...m].sort());
};

describe('sweeps on a toy pipeline (lib/dag knows nothing of finance)', () => {
  test('instances whose settings do not vary run once; each variant gets its own folder with its outputs', () => {
    const dir = makeToyProject();
    const s = sweep(dir, ['--set', 'benchmark=A,B,C', '--name', 'bench']);
    // double[*] and total do not read `benchmark`: once in total; bench once per variant
    expect(count(s)).toEqual({ bench: 3, 'double[A]': 1, 'double[B]': 1, 'double[C]': 1, total: 1 });
    const benches = s.variants.map((v) => readFileSync(join(dir, v.dir, 'out/bench.txt'), 'utf8'));
    // raw values 1, 2, 3 doubled
    expect(benches).toEqual(['2', '4', '6']);
    // the raw files are links to the project's own, at the same relative paths
    expect(lstatSync(join(dir, s.variants[0].dir, 'raw/A.txt')).isSymbolicLink()).toBe(true);
    // a second sweep executes nothing
    const again = sweep(dir, ['--set', 'benchmark=A,B,C', '--name', 'bench']);
    expect(again.variants.map((v) => v.executed)).toEqual([0, 0, 0]);
  });

  test('keys that are equal only at run time are computed once, even by variants running at once', () => {
    const dir = makeToyProject(['A', 'B', 'C'], { 'raw/A.txt': '0', 'raw/B.txt': '0', 'raw/C.txt': '0' });
    const s = sweep(dir, ['--set', 'factor=2,3,5,7', '--name', 'zeros']);
    // every double writes "0": total and bench then have one key for all four variants
    expect(count(s)).toEqual({ bench: 1, 'double[A]': 4, 'double[B]': 4, 'double[C]': 4, total: 1 });
    for (const v of s.variants) expect(readFileSync(join(dir, v.dir, 'out/total.txt'), 'utf8')).toBe('0');
  });

  test('a change to one raw file reruns, in every variant, only what reads it', () => {
    const dir = makeToyProject();
    sweep(dir, ['--set', 'factor=2,3', '--name', 'f']);
    writeFileSync(join(dir, 'raw/B.txt'), '10');
    const status = JSON.parse(dag(dir, ['sweep', 'status', 'f', '--json']).stdout) as { variants: { state: string; notFresh: number }[] };
    // double[B] (its input changed) and total (downstream of it); bench reads double[A] only
    expect(status.variants.map((v) => [v.state, v.notFresh])).toEqual([['stale', 2], ['stale', 2]]);
    const s = sweep(dir, ['--set', 'factor=2,3', '--name', 'f']);
    expect(count(s)).toEqual({ 'double[B]': 2, total: 2 });
    expect(s.variants.map((v) => readFileSync(join(dir, v.dir, 'out/total.txt'), 'utf8'))).toEqual([String(2 * (1 + 10 + 3)), String(3 * (1 + 10 + 3))]);
  });

  test('a sweep file: its name and target, grid times explicit variants', () => {
    const dir = makeToyProject();
    mkdirSync(join(dir, 'sweeps'));
    writeFileSync(join(dir, 'sweeps/mix.yaml'), 'target: all\ngrid:\n  factor: [2, 3]\nvariants:\n  - { benchmark: A }\n  - { benchmark: C }\n');
    const r = dag(dir, ['sweep', '--file', 'sweeps/mix.yaml', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as SweepJson & { name: string };
    expect(s.name).toBe('mix');
    expect(s.variants.map((v) => v.overlay)).toEqual([{ factor: 2, benchmark: 'A' }, { factor: 2, benchmark: 'C' }, { factor: 3, benchmark: 'A' }, { factor: 3, benchmark: 'C' }]);
    // raw A = 1, C = 3
    expect(s.variants.map((v) => readFileSync(join(dir, v.dir, 'out/bench.txt'), 'utf8'))).toEqual(['2', '6', '3', '9']);
    const bad = dag(dir, ['sweep', '--file', 'sweeps/nope.yaml']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'dag: sweeps/nope.yaml: sweep file not found']);
    const none = dag(dir, ['sweep', 'all']);
    expect([none.code, none.stderr.trim()]).toEqual([2, 'dag: dag sweep: give --set key=v1,v2 (repeatable) or --file sweeps/<name>.yaml']);
  });

  test('a failing instance fails its variants with exit 1 and writes no results', () => {
    const dir = makeToyProject(['A', 'B'], { 'raw/B.txt': 'fail' });
    const r = dag(dir, ['sweep', 'all', '--set', 'factor=2,3', '--name', 'bad', '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as SweepJson;
    expect(s.failed).toBe(2);
  });

  test('Ctrl-C: exit 130 with the one interrupted line; what ran is reported as ran, what did not as not run, nothing as failed', async () => {
    const dir = makeToyProject(['A', 'B'], { 'raw/B.txt': 'sleep:60000' });
    const { child, done } = startDag(dir, ['sweep', 'all', '--set', 'factor=2,3', '--name', 'stop', '--json', '--concurrency', '2']);
    // both variants' double[A] done, their double[B] asleep
    const root = join(dir, 'artifacts/sweeps/stop');
    await waitFor(() => existsSync(root) && readdirSync(root).filter((v) => existsSync(join(root, v, 'out/double/A.txt'))).length === 2);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^dag: interrupted by SIGINT: sweep stop: /m);
    const s = JSON.parse(r.stdout) as SweepJson & { variants: { failed: number; blocked: number }[] };
    expect(s.failed).toBe(0);
    // double[A] ran in each variant; double[B] was stopped, bench and total never started
    expect(s.variants.map((v) => [v.ran, v.executed, v.failed, v.blocked])).toEqual([[['double[A]'], 1, 0, 3], [['double[A]'], 1, 0, 3]]);
    expect(r.stdout + r.stderr).not.toMatch(/FAILED/);
  });

  test('Ctrl-C before a variant starts: its instances count as not run', async () => {
    const dir = makeToyProject(['A', 'B'], { 'raw/A.txt': 'sleep:60000', 'raw/B.txt': 'sleep:60000' });
    // one variant at a time: the first sleeps in double[*], the second never starts
    const { child, done } = startDag(dir, ['sweep', 'all', '--set', 'factor=2,3', '--name', 'one', '--json', '--concurrency', '1']);
    const root = join(dir, 'artifacts/sweeps/one');
    // the sweep's run log names the first variant's instances as they start
    const started = () => existsSync(join(root, 'runs')) && readdirSync(join(root, 'runs')).some((f) => readFileSync(join(root, 'runs', f), 'utf8').includes('"event":"start"'));
    await waitFor(started);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    const s = JSON.parse(r.stdout) as SweepJson & { variants: { failed: number; blocked: number; skipped: number }[] };
    // every one of a variant's 4 instances is accounted for, none as failed
    expect(s.variants.map((v) => [v.executed + v.restored + v.skipped + v.blocked, v.failed])).toEqual([[4, 0], [4, 0]]);
    expect(s.variants.map((v) => v.blocked)).toEqual([4, 4]);
  });

  test('--executor bullmq that cannot be used stops the sweep before anything runs, never falling back to local', () => {
    const dir = makeToyProject();
    const args = ['sweep', 'all', '--set', 'factor=2,3', '--name', 'q', '--executor', 'bullmq'];
    const noRedis = dag(dir, args);
    expect([noRedis.code, noRedis.stderr.trim()]).toEqual([2, `dag: the bullmq executor needs a Redis URL: executor.redis in ${join(dir, 'settings.yaml')} or DAG_REDIS_URL`]);
    // a Redis URL but no remote store: refused before connecting (nothing listens there)
    const noRemote = dag(dir, args, { DAG_REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect([noRemote.code, noRemote.stderr.trim()]).toEqual([2, `dag: the bullmq executor needs a remote store that workers share (cache.remote in ${join(dir, 'settings.yaml')})`]);
    expect(existsSync(join(dir, 'artifacts/sweeps/q/sweep.json'))).toBe(false);
  });

  test('a variant that cannot be valid is reported before the executor connects anywhere, and nothing is written', () => {
    const dir = makeToyProject();
    // factor is a number, not a group of settings: factor.x cannot be set (nothing listens on port 1)
    const r = dag(dir, ['sweep', 'all', '--set', 'factor.x=2,3', '--name', 'typo', '--executor', 'bullmq'], { DAG_REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('factor is not a group of settings, so factor.x cannot be set');
    expect(r.stderr).not.toMatch(/redis|remote store|ECONNREFUSED/i);
    expect(existsSync(join(dir, 'artifacts/sweeps/typo'))).toBe(false);
  });
});
