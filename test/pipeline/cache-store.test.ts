/**
 * The content-addressed cache on the real pipeline: a param toggled back restores instead of
 * recomputing, and a second clone (shared cache.dir, or a warm S3 remote) restores the whole
 * backtest with the bytes dag.lock records.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dagIn, deepMerge, makeWorkdir, readSettings, REPO, SMALL, writeSettings } from '../support/pipeline.js';
import { restored, treeBytes } from '../support/cacheStore.js';
import { differingFiles } from '../support/artifacts.js';
import { dagInAsync, startS3, S3_ENV, type S3Server } from '../support/s3.js';
import { readLock } from '../../lib/dag/lock.js';
import { listFiles } from '../../lib/dag/hashMemo.js';

type Summary = { executed: number; restored: number; skipped: number; failed: number; instances: { node: string; ticker: string | null; action: string; reasons: string[] }[] };
const runJson = (dir: string, args: string[]): Summary => {
  const r = dagIn(dir, [...args, '--json']);
  if (r.code !== 0) throw new Error(`dag ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
};
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** A file's hash, or a directory output's (its files' relative paths and hashes, one per line). */
const hashOf = (path: string): string => {
  if (!path.endsWith('/')) return sha(readFileSync(path));
  return createHash('sha256').update(listFiles(path).map((rel) => `${rel}\t${sha(readFileSync(join(path, rel)))}`).join('\n')).digest('hex');
};
const dirs: string[] = [];
const workdir = (settings: Record<string, unknown>) => {
  const d = makeWorkdir(settings);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('risk.max_weight 0.10 -> 0.05 -> 0.10', () => {
  test("the third run executes nothing, restores the 4 instances that read it, and its outputs equal the first run's bytes", () => {
    const risk = (w: number) => deepMerge(SMALL, { risk: { max_weight: w } });
    const dir = workdir(risk(0.1));
    expect(runJson(dir, ['run', 'backtest']).failed).toBe(0);
    const first = treeBytes(dir, ['artifacts', 'data']);
    expect(first.size).toBeGreaterThan(30);
    writeSettings(dir, deepMerge(readSettings(dir), { risk: { max_weight: 0.05 } }));
    const second = runJson(dir, ['run', 'backtest']);
    expect(second.instances.filter((i) => i.action === 'ran').map((i) => i.node).sort()).toEqual(['backtest', 'latest', 'positions', 'report']);
    writeSettings(dir, deepMerge(readSettings(dir), { risk: { max_weight: 0.1 } }));

    const status = dagIn(dir, ['status', 'backtest', '--verbose']);
    expect(status.stdout).toContain('-: stale: param changed: risk.max_weight (in cache: will restore)');
    const third = runJson(dir, ['run', 'backtest']);
    expect(third.executed).toBe(0);
    expect(restored(third)).toEqual(['backtest', 'latest', 'positions', 'report']);
    expect(third.restored).toBe(4);
    expect(treeBytes(dir, ['artifacts', 'data'])).toEqual(first);
  });
});

describe('a second clone restores the backtest instead of computing it', () => {
  let shared: string;
  let a: string;
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
    shared = mkdtempSync(join(tmpdir(), 'dag-shared-cache-'));
    dirs.push(shared);
    // the shipped settings, so that outputs and keys are the ones dag.lock records
    a = workdir({ cache: { dir: shared, remote: 's3://dag-cache/ci', remote_endpoint: s3.endpoint } });
    const r = await dagInAsync(a, ['run', 'backtest', '--json'], S3_ENV);
    if (r.code !== 0) throw new Error(`dag run backtest failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    const pushed = await dagInAsync(a, ['cache', 'push', 'backtest', '--json'], S3_ENV);
    if (pushed.code !== 0) throw new Error(`dag cache push failed:\n${pushed.stdout}\n${pushed.stderr}`);
  });
  afterAll(async () => {
    await s3?.close();
  });

  test('two folders, one cache.dir: the second executes 0 instances, restores all, and dag verify backtest passes there', () => {
    const b = workdir({ cache: { dir: shared } });
    const s = runJson(b, ['run', 'backtest']);
    expect(s.executed).toBe(0);
    expect(s.restored).toBe(s.instances.length);
    const v = dagIn(b, ['verify', 'backtest', '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, differences: [], keyChanges: [] });
  });

  test('a fresh clone, empty artifacts, a warm S3 remote: every instance restored, and its bytes match dag.lock', async () => {
    const c = workdir({ cache: { remote: 's3://dag-cache/ci', remote_endpoint: s3.endpoint } });
    const r = await dagInAsync(c, ['run', 'backtest', '--json'], S3_ENV);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.executed).toBe(0);
    expect(s.restored).toBe(s.instances.length);
    const lock = readLock(join(REPO, 'dag.lock'));
    expect(s.instances.length).toBe(Object.keys(lock.instances).length);
    const records = JSON.parse(readFileSync(join(c, 'artifacts/.dag/records.json'), 'utf8')).records as Record<string, { key: string }>;
    for (const [id, locked] of Object.entries(lock.instances)) {
      expect(records[id].key).toBe(locked.key);
      // hashed here from the files themselves, not taken from dag's records
      for (const [path, hash] of Object.entries(locked.outputs)) expect([path, hashOf(join(c, path) + (path.endsWith('/') ? '/' : ''))]).toEqual([path, hash]);
    }
  });
});

describe('daily runs and the store', () => {
  test('a clone that restores a daily run from a shared store executes nothing and equals a full run on the longer market', () => {
    const shared = mkdtempSync(join(tmpdir(), 'dag-daily-cache-'));
    dirs.push(shared);
    const withStore = deepMerge(SMALL, { cache: { dir: shared } });
    const x = workdir(withStore);
    runJson(x, ['run', 'backtest']);
    const xDaily = runJson(x, ['run', 'daily', '--extend', '1']);
    // x's features ran incrementally: what the store keeps for their keys came from incremental runs
    expect(xDaily.instances.some((i) => i.node === 'features' && i.action === 'ran' && i.reasons.some((r) => r.startsWith('incremental from')))).toBe(true);

    const y = workdir(withStore);
    expect(runJson(y, ['run', 'backtest']).executed).toBe(0);
    const yDaily = runJson(y, ['run', 'daily', '--extend', '1']);
    expect(yDaily.executed).toBe(0);
    expect(yDaily.restored).toBeGreaterThan(0);

    const full = workdir(deepMerge(SMALL, { data: { sample: { extra_days: 1 } } }));
    runJson(full, ['run', 'backtest']);
    // daily mode never retrains, so the models' fold metrics differ from a full run's (test/pipeline/daily.test.ts)
    const notTrainOutputs = (p: string) => p.startsWith('artifacts/models/ml/') || p.startsWith('artifacts/models/ml_metrics/') || p.startsWith('artifacts/models/ml_folds/');
    expect(differingFiles(y, full, notTrainOutputs)).toEqual([]);
    expect(differingFiles(y, x)).toEqual([]);
  });
});
