/**
 * The bullmq executor on the toy DAG: a coordinator (`dag run`) and real `dag worker` child
 * processes, each worker in its own copy of the project (nothing shared on disk but the
 * file:// remote store), against a real redis-server started for these tests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DAG_BIN } from '../support/cli.js';
import { listFiles, sha256 } from '../../lib/dag/hashMemo.js';
import { decodeManifest, manifestBlobs } from '../../lib/dag/store/manifest.js';
import { dagAsync } from '../support/s3.js';
import { HAVE_REDIS, startRedis, type RedisServer } from '../support/redis.js';
import { copyCheckout, holdsInput, startWorker, until, workersInRunLog, type WorkerProcess } from '../support/workers.js';
import { makeDistributedToy } from '../support/distributed.js';

type Summary = { executed: number; restored: number; failed: number; instances: { node: string; ticker: string | null; action: string; reasons: string[]; worker?: string }[] };

const d = HAVE_REDIS ? describe : describe.skip;
if (!HAVE_REDIS) console.warn('skipping the bullmq executor tests: redis-server is not installed (apt-get install -y redis-server)');

let redis: RedisServer;
const dirs: string[] = [];
let workers: WorkerProcess[] = [];
beforeAll(async () => {
  if (HAVE_REDIS) redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});
afterAll(async () => {
  await redis?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function toy(raw: Record<string, string>, extra: Record<string, number> = {}) {
  const t = makeDistributedToy(raw, redis.url, extra);
  dirs.push(t.dir, t.remote);
  return t;
}
async function worker(dir: string, name: string, args: string[] = []): Promise<WorkerProcess> {
  const checkout = copyCheckout(dir);
  dirs.push(checkout);
  const w = await startWorker(checkout, name, args);
  workers.push(w);
  return w;
}
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
