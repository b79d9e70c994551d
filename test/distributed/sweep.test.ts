/**
 * `dag sweep --executor bullmq` on the toy DAG: a coordinator and real `dag worker` child
 * processes (each in its own copy of the project; only the file:// remote store is shared),
 * against a real redis-server started for these tests.
 */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DAG_BIN, dag } from '../support/cli.js';
import { listFiles } from '../../lib/dag/hashMemo.js';
import { dagAsync } from '../support/s3.js';
import { holdsInput, until, workersInRunLog, type WorkerProcess } from '../support/workers.js';
import { distributedToyHarness } from '../support/distributed.js';
import { makeToyProject } from '../support/toyProject.js';

interface SweepJson {
  variants: { id: string; dir: string; ran: string[]; workers: Record<string, string>; restored: number; failures: string[] }[];
  sharedBy: string[];
  failed: number;
}

const { d, dirs, workers, toy, worker } = distributedToyHarness('the bullmq sweep tests');

/** Every output file of each variant, by variant id. */
const outputs = (dir: string, s: SweepJson) => Object.fromEntries(s.variants.map((v) => {
  const out = join(dir, v.dir, 'out');
  return [v.id, Object.fromEntries(listFiles(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]))];
}));
const ranLines = (ws: WorkerProcess[]) => ws.flatMap((w) => w.log().match(/^(ran|reused) \S+/gm) ?? []).sort();

d('dag sweep --executor bullmq with two dag workers', () => {
  test('each variant gets the local sweep\'s bytes, the shared upstream runs once across the workers, and the workers ran every instance', async () => {
    const raw = { A: '1', B: 'sleep:300', C: '3' };
    const { dir } = toy(raw);
    await worker(dir, 'w1');
    await worker(dir, 'w2');
    const args = ['sweep', 'all', '--set', 'benchmark=A,B,C', '--name', 'b', '--json'];
    const r = await dagAsync(dir, [...args, '--executor', 'bullmq']);
    expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/executor bullmq: queue dag-[0-9a-f]{16}/)]);
    const s = JSON.parse(r.stdout) as SweepJson;

    // the same sweep on this machine's threads, in a project that knows no Redis nor remote
    const local = makeToyProject(Object.keys(raw), Object.fromEntries(Object.entries(raw).map(([t, v]) => [`raw/${t}.txt`, v])));
    dirs.push(local);
    const l = dag(local, [...args, '--executor', 'local']);
    expect(l.code).toBe(0);
    const ls = JSON.parse(l.stdout) as SweepJson;
    expect(ls.variants.every((v) => Object.keys(v.workers).length === 0)).toBe(true);
    expect(outputs(dir, s)).toEqual(outputs(local, ls));
    // bench = the benchmark's double: A 2, B 2 (a sleeping ticker counts as 1), C 6
    expect(s.variants.map((v) => readFileSync(join(dir, v.dir, 'out/bench.txt'), 'utf8'))).toEqual(['2', '2', '6']);

    // double[*] and total ran once in all, by the first variant; the others restored them
    expect(s.sharedBy).toEqual([s.variants[0].id]);
    expect(ranLines(workers)).toEqual(['ran bench', 'ran bench', 'ran bench', 'ran double[A]', 'ran double[B]', 'ran double[C]', 'ran total']);
    expect(s.variants.map((v) => v.ran)).toEqual([['double[A]', 'double[B]', 'double[C]', 'bench', 'total'], ['bench'], ['bench']]);
    expect(s.variants.map((v) => v.restored)).toEqual([0, 4, 4]);
    // the outcome and the sweep's run log name a worker for every instance that ran, none the coordinator's threads
    for (const v of s.variants) expect(Object.keys(v.workers).sort()).toEqual([...v.ran].sort());
    const named = s.variants.flatMap((v) => Object.values(v.workers));
    expect(named.every((w) => w === 'w1' || w === 'w2')).toBe(true);
    const logged = workersInRunLog(join(dir, 'artifacts/sweeps/b'));
    expect([...logged.keys()].sort()).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]', 'total']);
    expect([...logged.values()].every((w) => w === 'w1' || w === 'w2')).toBe(true);

    // --force: the variants ask for the same keys at once; each waits on the one job per key
    // (done within the hour, so nothing runs again: docs/distributed.md) and gets the same bytes
    const forced = await dagAsync(dir, [...args, '--executor', 'bullmq', '--force']);
    expect(forced.code).toBe(0);
    expect(outputs(dir, JSON.parse(forced.stdout) as SweepJson)).toEqual(outputs(local, ls));
    expect(ranLines(workers)).toHaveLength(7);
  }, 90_000);

  test('a failing job fails its variants with exit 1, naming the worker', async () => {
    const { dir } = toy({ A: '1', B: 'fail' });
    await worker(dir, 'w1');
    const r = await dagAsync(dir, ['sweep', 'all', '--set', 'factor=2,3', '--name', 'bad', '--executor', 'bullmq']);
    expect(r.code).toBe(1);
    expect(r.stdout.match(/^ {2}FAILED .*$/gm)).toEqual([
      '  FAILED double[B]: cannot double B: raw value is "fail" (on worker w1)',
      '  FAILED double[B]: cannot double B: raw value is "fail" (on worker w1)',
    ]);
    expect(r.stdout).toMatch(/failed 2 in/);
  }, 60_000);

  test('Ctrl-C removes the sweep\'s queued jobs and exits 130', async () => {
    const { dir } = toy({ A: 'sleep:3000', B: '1', C: '2', D: '3' });
    const w = await worker(dir, 'w1');
    const child = spawn(process.execPath, [DAG_BIN, 'sweep', 'all', '--set', 'benchmark=A,B', '--name', 'stop', '--executor', 'bullmq'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    await until('w1 to run double[A]', () => holdsInput(w, 'raw/A.txt'));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/interrupted: removing [1-9]\d* queued job\(s\)/);
    await w.waitFor(/ran double\[A\]/);
    // the other doubles were queued and removed: the worker ran nothing else
    await new Promise((res) => setTimeout(res, 1500));
    expect(ranLines([w])).toEqual(['ran double[A]']);
  }, 60_000);
});
