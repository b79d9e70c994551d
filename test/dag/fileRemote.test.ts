import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeToyProject } from '../support/toyProject.js';
import { dag, ran, runJson } from '../support/cli.js';
import { restored, treeBytes } from '../support/cacheStore.js';
import { dagAsync } from '../support/s3.js';
import { decodeManifest } from '../../lib/dag/store/manifest.js';
import { sha256 } from '../../lib/dag/hashMemo.js';

const settings = (factor: number, cache: string) => `tickers: [A, B, C]\nbenchmark: A\nfactor: ${factor}\n${cache}`;
const manifests = (store: string) => {
  const root = join(store, 'ac');
  return readdirSync(root).flatMap((s) => readdirSync(join(root, s)).filter((f) => !f.startsWith('.')).map((f) => join(root, s, f)));
};

describe('two clones share results', () => {
  test('one cache.dir shared by two folders: the second clone executes nothing and restores all', () => {
    const shared = mkdtempSync(join(tmpdir(), 'dag-shared-cache-'));
    const a = makeToyProject();
    const b = makeToyProject();
    for (const d of [a, b]) writeFileSync(join(d, 'settings.yaml'), settings(2, `cache:\n  dir: ${shared}\n`));
    expect(ran(runJson(a, ['run', 'all']))).toHaveLength(5);
    const s = runJson(b, ['run', 'all']);
    expect(ran(s)).toEqual([]);
    expect(restored(s)).toHaveLength(5);
    expect(treeBytes(b, ['out'])).toEqual(treeBytes(a, ['out']));
  });

  test('DAG_CACHE_DIR beats cache.dir', () => {
    const env = { DAG_CACHE_DIR: mkdtempSync(join(tmpdir(), 'dag-env-cache-')) };
    const a = makeToyProject();
    const b = makeToyProject();
    dag(a, ['run', 'all'], env);
    const s = JSON.parse(dag(b, ['run', 'all', '--json'], env).stdout);
    expect(restored(s)).toHaveLength(5);
    expect(manifests(env.DAG_CACHE_DIR)).toHaveLength(5);
  });

  test('a file:// remote: write-through from one clone, read-through in another', () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-file-remote-'));
    const a = makeToyProject();
    const b = makeToyProject();
    writeFileSync(join(a, 'settings.yaml'), settings(2, `cache:\n  remote: ${pathToFileURL(remote).href}\n`));
    writeFileSync(join(b, 'settings.yaml'), settings(2, `cache:\n  remote: ${pathToFileURL(remote).href}\n`));
    // writing is off by default: nothing reaches the remote
    runJson(a, ['run', 'all']);
    expect(readdirSync(remote)).toEqual([]);
    runJson(a, ['run', 'all', '--force', '--remote-write']);
    expect(manifests(remote)).toHaveLength(5);
    const s = runJson(b, ['run', 'all']);
    expect(ran(s)).toEqual([]);
    expect(restored(s)).toHaveLength(5);
    expect(readFileSync(join(b, 'out/total.txt'), 'utf8')).toBe('12');
  });

  test('two processes pushing the same keys at once: each manifest is written once, whole, and every blob verifies', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-file-race-'));
    const clones = [makeToyProject(), makeToyProject()];
    for (const d of clones) {
      writeFileSync(join(d, 'settings.yaml'), settings(2, `cache:\n  remote: ${pathToFileURL(remote).href}\n`));
      runJson(d, ['run', 'all']);
    }
    const results = await Promise.all(clones.map((d) => dagAsync(d, ['cache', 'push', '--json'])));
    for (const r of results) expect(r.code).toBe(0);
    const pushed = results.map((r) => JSON.parse(r.stdout) as { entries: number; written: number });
    expect(pushed.map((p) => p.entries)).toEqual([5, 5]);
    // exactly one writer won each key
    expect(pushed[0].written + pushed[1].written).toBe(5);
    const files = manifests(remote);
    expect(files).toHaveLength(5);
    for (const f of files) {
      const key = f.split('/').pop()!.replace('.json', '');
      const m = decodeManifest(readFileSync(f), key);
      if (typeof m === 'string') throw new Error(m);
      for (const o of Object.values(m.outputs)) expect(sha256(readFileSync(join(remote, 'blobs', o.hash.slice(0, 2), o.hash)))).toBe(o.hash);
    }
    // no temp file left behind
    const leftovers = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? leftovers(join(d, e.name)) : e.name.startsWith('.') ? [e.name] : []));
    expect(leftovers(remote)).toEqual([]);
  });
});

describe('dag cache gc', () => {
  test('under a size budget it removes the least recently used entries and nothing the current records need', () => {
    const dir = makeToyProject(['A']);
    const run = (factor: number) => {
      writeFileSync(join(dir, 'settings.yaml'), `tickers: [A]\nbenchmark: A\nfactor: ${factor}\n`);
      return runJson(dir, ['run', 'all']);
    };
    // factors 10, 20, 30, 40 (used in that order), then 10 again: entries of 20 are the least recently used
    for (const f of [10, 20, 30, 40]) run(f);
    expect(restored(run(10))).toEqual(['bench', 'double[A]', 'total']);
    const store = join(dir, 'artifacts/.dag/cache');
    // double, total and bench of one factor share one blob (the same number): 4 blobs of 2 bytes
    const st = JSON.parse(dag(dir, ['cache', 'status', '--json']).stdout);
    expect(st).toMatchObject({ entries: 12, blobs: 4, bytes: 8 });
    const gc = dag(dir, ['cache', 'gc', '--max-size', '5', '--json']);
    expect(gc.code).toBe(0);
    // 8 bytes -> remove factor 20's entries (-2), then 30's (-2): 4 bytes left, factor 40 and the current 10 kept
    expect(JSON.parse(gc.stdout)).toMatchObject({ removedEntries: 6, removedBlobs: 2, bytesBefore: 8, bytesAfter: 4 });
    const left = new Set(manifests(store).map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { outputs: Record<string, { hash: string }> }).outputs['out/double/A.txt']?.hash).filter(Boolean));
    expect(left).toEqual(new Set([sha256('10'), sha256('40')]));
    // the current results are untouched, and factor 40 still restores; 20 runs again
    expect(runJson(dir, ['run', 'all']).skipped).toBe(3);
    expect(restored(run(40))).toHaveLength(3);
    expect(ran(run(20))).toHaveLength(3);
    // a budget below what the records need keeps what they need
    const tight = JSON.parse(dag(dir, ['cache', 'gc', '--max-size', '0', '--json']).stdout);
    expect(tight.bytesAfter).toBe(2);
    expect(runJson(dir, ['run', 'all']).skipped).toBe(3);
  });

  test('--max-age-days removes entries not used for that long', () => {
    const dir = makeToyProject(['A']);
    for (const f of [1, 2]) {
      writeFileSync(join(dir, 'settings.yaml'), `tickers: [A]\nbenchmark: A\nfactor: ${f}\n`);
      runJson(dir, ['run', 'all']);
    }
    // factor 1's entries were last used ten days ago
    const store = join(dir, 'artifacts/.dag/cache');
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const f of manifests(store)) {
      const m = JSON.parse(readFileSync(f, 'utf8')) as { outputs: Record<string, { hash: string }> };
      if (Object.values(m.outputs).some((o) => o.hash === sha256('1'))) utimesSync(f, old, old);
    }
    const gc = JSON.parse(dag(dir, ['cache', 'gc', '--max-age-days', '5', '--json']).stdout);
    expect(gc).toMatchObject({ removedEntries: 3, removedBlobs: 1, entriesBefore: 6 });
    expect(manifests(store)).toHaveLength(3);
    expect(dag(dir, ['cache', 'gc']).code).toBe(2);
  });
});
