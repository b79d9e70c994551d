import { afterAll, afterEach, beforeEach, describe } from '@jest/globals';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject } from './toyProject.js';
import { HAVE_REDIS, startRedis, type RedisServer } from './redis.js';
import { copyCheckout, startWorker, type WorkerProcess } from './workers.js';

/** Settings that make a project use a shared file:// remote store and the bullmq executor on `redisUrl`. */
export function distributedSettings(remoteDir: string, redisUrl: string, extra: Record<string, number> = {}): string {
  const ex = { lock_seconds: 2, stalled_check_seconds: 1, worker_wait_seconds: 20, redis_timeout_seconds: 2, ...extra };
  return [
    'cache:',
    `  remote: file://${remoteDir}`,
    'executor:',
    '  kind: bullmq',
    `  redis: ${redisUrl}`,
    ...Object.entries(ex).map(([k, v]) => `  ${k}: ${v}`),
    '',
  ].join('\n');
}

/** The toy project (test/support/toyProject.ts) with `raw` values per ticker, set up for the bullmq executor. */
export function makeDistributedToy(raw: Record<string, string>, redisUrl: string, extra: Record<string, number> = {}): { dir: string; remote: string } {
  const tickers = Object.keys(raw);
  const dir = makeToyProject(tickers, Object.fromEntries(tickers.map((t) => [`raw/${t}.txt`, raw[t]])));
  const remote = mkdtempSync(join(tmpdir(), 'dag-remote-'));
  appendFileSync(join(dir, 'settings.yaml'), distributedSettings(remote, redisUrl, extra));
  return { dir, remote };
}

/**
 * What the toy DAG's bullmq tests share: a redis-server of its own per test (queues and finished
 * jobs of one test never meet another's), `dag worker` processes each in its own copy of the
 * project, stopped after each test, and temporary folders removed at the end. Call at the top of
 * a test file; `d` is `describe`, or `describe.skip` (with a message) without redis-server.
 */
export function distributedToyHarness(what: string) {
  if (!HAVE_REDIS) console.warn(`skipping ${what}: redis-server is not installed (apt-get install -y redis-server)`);
  let redis: RedisServer | undefined;
  const dirs: string[] = [];
  const workers: WorkerProcess[] = [];
  beforeEach(async () => {
    if (HAVE_REDIS) redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await redis?.stop();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const h = {
    d: HAVE_REDIS ? describe : describe.skip,
    /** This test's Redis. */
    redis: () => redis!,
    /** Folders removed after the file's tests. */
    dirs,
    /** Workers stopped after each test. */
    workers,
    toy(raw: Record<string, string>, extra: Record<string, number> = {}) {
      const t = makeDistributedToy(raw, h.redis().url, extra);
      dirs.push(t.dir, t.remote);
      return t;
    },
    /** A `dag worker` named `name` in a fresh copy of `dir`. */
    async worker(dir: string, name: string, args: string[] = []): Promise<WorkerProcess> {
      const checkout = copyCheckout(dir);
      dirs.push(checkout);
      const w = await startWorker(checkout, name, args);
      workers.push(w);
      return w;
    },
  };
  return h;
}
