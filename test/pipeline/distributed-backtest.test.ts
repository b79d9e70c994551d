/**
 * The sample backtest with the bullmq executor: a coordinator and two `dag worker` processes,
 * each worker with a work folder of its own (nothing shared on disk but the file:// remote
 * store), against a real redis-server. The coordinator's artifacts must have the bytes dag.lock
 * records for a local run (`dag verify backtest` proves those), and both workers must have run
 * some of the instances.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkdir, REPO } from '../support/pipeline.js';
import { dagInAsync } from '../support/s3.js';
import { HAVE_REDIS, startRedis, type RedisServer } from '../support/redis.js';
import { startWorker, workersInRunLog, type WorkerProcess } from '../support/workers.js';
import { readLock } from '../../lib/dag/lock.js';
import { listFiles } from '../../lib/dag/hashMemo.js';

const d = HAVE_REDIS ? describe : describe.skip;
if (!HAVE_REDIS) console.warn('skipping the distributed backtest: redis-server is not installed (apt-get install -y redis-server)');

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** A file's hash, or a directory output's (its files' relative paths and hashes, one per line). */
const hashOf = (path: string): string => {
  if (!path.endsWith('/')) return sha(readFileSync(path));
  return createHash('sha256').update(listFiles(path).map((rel) => `${rel}\t${sha(readFileSync(join(path, rel)))}`).join('\n')).digest('hex');
};

let redis: RedisServer;
const dirs: string[] = [];
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  if (HAVE_REDIS) redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

d('sample backtest on two dag workers', () => {
  test('the coordinator\'s artifacts have dag.lock\'s bytes, and the run log shows instances on both workers', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-remote-'));
    const settings = { cache: { remote: `file://${remote}` }, executor: { kind: 'bullmq', redis: redis.url, lock_seconds: 15, stalled_check_seconds: 5 } };
    const coordinator = makeWorkdir(settings);
    dirs.push(remote, coordinator);
    for (const name of ['w1', 'w2']) {
      // the same checkout (this repository), but a work folder of its own: inputs reach it only through the store
      const own = makeWorkdir(settings);
      dirs.push(own);
      workers.push(await startWorker(own, name, ['--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', own, '--config', join(own, 'config/settings.yaml')]));
    }
    const r = await dagInAsync(coordinator, ['run', 'backtest', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { failed: number; instances: { node: string; ticker: string | null; action: string; worker?: string }[] };
    expect(s.failed).toBe(0);
    const lock = readLock(join(REPO, 'dag.lock'));
    expect(s.instances.length).toBe(Object.keys(lock.instances).length);
    expect(s.instances.every((i) => i.action === 'ran')).toBe(true);
    for (const [, locked] of Object.entries(lock.instances)) {
      // hashed here from the coordinator's files, not taken from dag's records
      for (const [path, hash] of Object.entries(locked.outputs)) expect([path, hashOf(join(coordinator, path) + (path.endsWith('/') ? '/' : ''))]).toEqual([path, hash]);
    }
    const byWorker = new Map<string, number>();
    for (const w of workersInRunLog(join(coordinator, 'artifacts/.dag')).values()) byWorker.set(w, (byWorker.get(w) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(['w1', 'w2']);
    expect(byWorker.get('w1')! + byWorker.get('w2')!).toBe(s.instances.length);
  }, 600_000);
});
