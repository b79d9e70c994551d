/**
 * The bullmq executor on the toy DAG: a coordinator (`dag run`) and real `dag worker` child
 * processes, each worker in its own copy of the project (nothing shared on disk but the
 * file:// remote store), against a real redis-server started for these tests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dagAsync } from '../support/s3.js';
import { HAVE_REDIS, startRedis, type RedisServer } from '../support/redis.js';
import { copyCheckout, startWorker, workersInRunLog, type WorkerProcess } from '../support/workers.js';
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
  }, 60_000);
});
