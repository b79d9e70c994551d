/**
 * The bullmq executor on the toy DAG: a coordinator (`dag run`) and real `dag worker` child
 * processes, each worker in its own copy of the project (nothing shared on disk but the
 * file:// remote store), against a real redis-server started for these tests.
 */
import { expect, test } from '@jest/globals';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DAG_BIN } from '../support/cli.js';
import { listFiles, sha256 } from '../../lib/dag/hashMemo.js';
import { decodeManifest, manifestBlobs } from '../../lib/dag/store/manifest.js';
import { dagAsync } from '../support/s3.js';
import { startRedis } from '../support/redis.js';
import { copyCheckout, holdsInput, startWorker, until, workersInRunLog } from '../support/workers.js';
import { distributedToyHarness, makeDistributedToy } from '../support/distributed.js';

type Summary = { executed: number; restored: number; failed: number; instances: { node: string; ticker: string | null; action: string; reasons: string[]; worker?: string }[] };

const { d, redis, dirs, workers, toy, worker } = distributedToyHarness('the bullmq executor tests');
const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');
const id = (i: { node: string; ticker: string | null }) => (i.ticker ? `${i.node}[${i.ticker}]` : i.node);

d('a coordinator and two dag workers', () => {
  test('the run spreads over both workers, the outputs are the toy DAG\'s numbers, and the run log and --json name the worker of each instance', async () => {
    const raw = { A: '3', B: 'sleep:400', C: 'sleep:400', D: 'sleep:400', E: '5', F: 'sleep:400' };
    const { dir } = toy(raw);
    await worker(dir, 'w1');
    await worker(dir, 'w2');
    const r = await dagAsync(dir, ['run', 'all', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.failed).toBe(0);
    // hand-worked: double = raw x factor 2 (a sleeping ticker counts as 1), total = their sum, bench = A's double
    const doubles = { A: 6, B: 2, C: 2, D: 2, E: 10, F: 2 };
    for (const [t, v] of Object.entries(doubles)) expect(read(dir, `out/double/${t}.txt`)).toBe(String(v));
    expect(read(dir, 'out/total.txt')).toBe('24');
    expect(read(dir, 'out/bench.txt')).toBe('6');
    const ran = s.instances.filter((i) => i.action === 'ran');
    expect(ran).toHaveLength(8);
    expect(new Set(ran.map((i) => i.worker))).toEqual(new Set(['w1', 'w2']));
    const logged = workersInRunLog(join(dir, 'artifacts/.dag'));
    for (const i of ran) expect(logged.get(id(i))).toBe(i.worker);
    // each worker logged one line per job it ran, and together they ran each instance once
    const lines = [...workers.flatMap((w) => w.log().match(/^ran \S+/gm) ?? [])].map((l) => l.slice(4)).sort();
    expect(lines).toEqual(ran.map(id).sort());

    const st = await dagAsync(dir, ['status', '--workers', '--json']);
    expect(st.code).toBe(0);
    const rows = (JSON.parse(st.stdout) as { workers: { id: string; matches: boolean; done: number; concurrency: number }[] }).workers;
    expect(rows.map((w) => w.id).sort()).toEqual(['w1', 'w2']);
    expect(rows.every((w) => w.matches && w.concurrency === 1)).toBe(true);

    // SIGTERM is how a worker is stopped: it says so and exits 0, not as an interrupted run
    const w1 = workers.find((w) => w.name === 'w1')!;
    await w1.stop();
    expect(w1.child.exitCode).toBe(0);
    expect(w1.log()).toContain('dag worker w1: stopping after the running jobs');
    expect(w1.log()).not.toContain('running instances get');
  }, 60_000);

  test('a task error fails the run with the node, ticker, worker and error; --keep-going still finishes the other branches', async () => {
    const { dir } = toy({ A: '1', B: 'fail', C: '4' });
    await worker(dir, 'w1');
    const r = await dagAsync(dir, ['run', 'all', '--keep-going', '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    const failed = s.instances.filter((i) => i.action === 'failed');
    expect(failed.map(id)).toEqual(['double[B]']);
    expect(failed[0].reasons[0]).toBe('cannot double B: raw value is "fail" (on worker w1)');
    expect(failed[0].worker).toBe('w1');
    // bench needs only A: it ran; total needs B: blocked
    expect(s.instances.find((i) => i.node === 'bench')!.action).toBe('ran');
    expect(s.instances.find((i) => i.node === 'total')!.action).toBe('blocked');
    expect(read(dir, 'out/bench.txt')).toBe('2');
    const text = await dagAsync(dir, ['run', 'all']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/FAILED double ticker B: cannot double B: raw value is "fail" \(on worker w1\)/);
  }, 60_000);
});

/** Every manifest in a file:// store decodes and every blob it names is there with its hash: nothing half-written. */
function storeIsWhole(remote: string): number {
  const manifests = listFiles(join(remote, 'ac'));
  for (const rel of manifests) {
    const key = rel.split('/')[1].replace(/\.json$/, '');
    const m = decodeManifest(readFileSync(join(remote, 'ac', rel)), key);
    if (typeof m === 'string') throw new Error(`${rel}: ${m}`);
    for (const b of manifestBlobs(m)) expect(sha256(readFileSync(join(remote, 'blobs', b.hash.slice(0, 2), b.hash)))).toBe(b.hash);
  }
  // no temp file left beside a blob or a manifest
  const hidden = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.name.startsWith('.') ? [e.name] : e.isDirectory() ? hidden(join(dir, e.name)) : []));
  expect(hidden(remote)).toEqual([]);
  return manifests.length;
}

/** Output bytes of the toy DAG, for comparing two runs. */
const outputs = (dir: string) => Object.fromEntries(listFiles(join(dir, 'out')).map((f) => [f, read(dir, join('out', f))]));

async function localTwin(raw: Record<string, string>): Promise<Record<string, string>> {
  const { dir } = toy(raw);
  const r = await dagAsync(dir, ['run', 'all', '--executor', 'local']);
  expect(r.code).toBe(0);
  return outputs(dir);
}

d('a worker killed mid-task', () => {
  test('the stalled job runs again on the other worker; the run succeeds with the local run\'s bytes and nothing half-written in the store', async () => {
    const raw = { A: '7', B: 'sleep:4000', C: '2' };
    const { dir, remote } = toy(raw);
    const w1 = await worker(dir, 'w1');
    const run = dagAsync(dir, ['run', 'all', '--json']);
    // kill w1 while it holds double[B] (its scratch folder has B's input)
    await until('w1 to run double[B]', () => holdsInput(w1, 'raw/B.txt'));
    w1.child.kill('SIGKILL');
    const w2 = await worker(dir, 'w2');
    const r = await run;
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.failed).toBe(0);
    const b = s.instances.find((i) => id(i) === 'double[B]')!;
    expect(b.worker).toBe('w2');
    expect(w2.log()).toMatch(/ran double\[B\]/);
    expect(w1.log()).not.toMatch(/ran double\[B\]/);
    expect(outputs(dir)).toEqual(await localTwin(raw));
    expect(storeIsWhole(remote)).toBe(5);
  }, 90_000);
});

d('a worker on other code', () => {
  test('it refuses the run\'s jobs naming the edited task file, and the run completes on the matching worker', async () => {
    // slow enough for the other worker's heartbeat (every 2 s) to see the run
    const { dir } = toy({ A: 'sleep:1500', B: 'sleep:1500', C: 'sleep:1500' });
    const good = await worker(dir, 'good');
    const otherCheckout = copyCheckout(dir);
    dirs.push(otherCheckout);
    appendFileSync(join(otherCheckout, 'tasks/total.mjs'), '// edited on another branch\n');
    const other = await startWorker(otherCheckout, 'other');
    workers.push(other);
    const r = await dagAsync(dir, ['run', 'all', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.instances.map((i) => i.worker)).toEqual(s.instances.map(() => 'good'));
    await other.waitFor(/refusing the jobs of run \S+ \(coordinator [^)]+\): code differs: tasks\/total\.mjs differs/);
    expect(other.log()).not.toMatch(/^ran /m);
    expect(r.stderr).toMatch(/worker other does not run this checkout's code and gets none of its jobs: code differs: tasks\/total\.mjs differs/);
    expect(good.log()).toMatch(/ran total/);
  }, 60_000);

  test('with no matching worker, the run fails after executor.worker_wait_seconds naming the difference', async () => {
    const { dir } = toy({ A: '1' }, { worker_wait_seconds: 2 });
    const otherCheckout = copyCheckout(dir);
    dirs.push(otherCheckout);
    appendFileSync(join(otherCheckout, 'tasks/helper.mjs'), '// edited\n');
    workers.push(await startWorker(otherCheckout, 'other'));
    const r = await dagAsync(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED double ticker A: no dag worker runs this checkout's code \(queue dag-[0-9a-f]{16}\) after 2 s; connected workers differ: other \(tasks\/helper\.mjs differs\)/);
  }, 60_000);
});

d('two coordinators on the same target, Redis and store', () => {
  test('each instance runs once, and both end with the same outputs', async () => {
    const raw = { A: 'sleep:300', B: 'sleep:300', C: '4', D: 'sleep:300' };
    const { dir } = toy(raw);
    const second = copyCheckout(dir);
    dirs.push(second);
    await worker(dir, 'w1');
    await worker(dir, 'w2');
    const [r1, r2] = await Promise.all([dagAsync(dir, ['run', 'all', '--json']), dagAsync(second, ['run', 'all', '--json'])]);
    expect([r1.code, r2.code, r1.stderr, r2.stderr]).toEqual([0, 0, expect.anything(), expect.anything()]);
    const ranOnWorkers = workers.flatMap((w) => w.log().match(/^(ran|reused) \S+/gm) ?? []).sort();
    expect(ranOnWorkers).toEqual(['ran bench', 'ran double[A]', 'ran double[B]', 'ran double[C]', 'ran double[D]', 'ran total']);
    expect(outputs(second)).toEqual(outputs(dir));
    expect(outputs(dir)).toEqual(await localTwin(raw));
  }, 90_000);
});

d('Redis down or lost', () => {
  test('Redis unreachable at start: exit 2 with a message naming the URL, and nothing run', async () => {
    const { dir } = toy({ A: '1' });
    const dead = `redis://127.0.0.1:${redis().port + 1}/0`;
    const r = await dagAsync(dir, ['run', 'all'], { DAG_REDIS_URL: dead });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`dag: cannot reach Redis at ${dead.replace(/[./]/g, '\\$&')}: `));
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 30_000);

  test('Redis killed mid-run: the run fails saying so; with Redis back, the rerun restores what reached the store and runs the rest', async () => {
    const own = await startRedis();
    try {
      const raw = { A: '1', B: 'sleep:1500', C: 'sleep:1500', D: 'sleep:1500' };
      const { dir } = makeDistributedToy(raw, own.url);
      dirs.push(dir);
      const checkout = copyCheckout(dir);
      dirs.push(checkout);
      const w = await startWorker(checkout, 'w1');
      workers.push(w);
      const run = dagAsync(dir, ['run', 'all', '--json']);
      await w.waitFor(/ran double\[B\]/);
      own.kill();
      const r = await run;
      expect(r.code).toBe(1);
      const s = JSON.parse(r.stdout) as Summary;
      expect(s.instances.find((i) => i.action === 'failed')!.reasons[0]).toMatch(new RegExp(`lost the connection to Redis at redis://127\\.0\\.0\\.1:${own.port}/0 .*a rerun restores what reached file://`));
      const done = s.instances.filter((i) => i.action === 'ran').map(id);
      expect(done).toContain('double[A]');
      // its Redis is gone: no graceful stop to wait for
      w.child.kill('SIGKILL');
      await w.stop();
      const back = await startRedis(own.port);
      try {
        workers.push(await startWorker(checkout, 'w2'));
        const again = await dagAsync(dir, ['run', 'all', '--json']);
        expect(again.code).toBe(0);
        const s2 = JSON.parse(again.stdout) as Summary;
        // what finished before is fresh or comes from the store, not run again
        for (const i of s2.instances.filter((x) => done.includes(id(x)))) expect(i.action).toBe('skipped');
        expect(s2.instances.filter((i) => i.action === 'ran').map(id)).not.toContain('double[B]');
        expect(outputs(dir)).toEqual(await localTwin(raw));
      } finally {
        await back.stop();
      }
    } finally {
      await own.stop();
    }
  }, 90_000);
});

d('Ctrl-C of the coordinator', () => {
  test('its queued jobs are removed from the queue', async () => {
    const raw = { A: 'sleep:3000', B: '1', C: '2', D: '3' };
    const { dir } = toy(raw);
    const w = await worker(dir, 'w1');
    const child = spawn(process.execPath, [DAG_BIN, 'run', 'all'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    await until('w1 to run double[A]', () => holdsInput(w, 'raw/A.txt'));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/interrupted: removing \d+ queued job\(s\)/);
    await w.waitFor(/ran double\[A\]/);
    // the three queued jobs were removed: the worker ran nothing else
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.log().match(/^ran /gm)).toHaveLength(1);
  }, 60_000);
});
