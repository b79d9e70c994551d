import { describe, expect, test } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeToyProject } from '../support/toyProject.js';
import { dag, ran, runJson } from '../support/cli.js';
import { restored, treeBytes } from '../support/cacheStore.js';
import { dagAsync } from '../support/s3.js';
import { decodeManifest, encodeManifest } from '../../lib/dag/store/manifest.js';
import { FileStore } from '../../lib/dag/store/fileStore.js';
import { sha256 } from '../../lib/dag/hashMemo.js';

const settings = (factor: number, cache: string) => `tickers: [A, B, C]\nbenchmark: A\nfactor: ${factor}\n${cache}`;
/** A toy project whose settings name this file:// remote. */
const withRemote = (dir: string, remote: string) => {
  writeFileSync(join(dir, 'settings.yaml'), settings(2, `cache:\n  remote: ${pathToFileURL(remote).href}\n`));
  return dir;
};
const manifests = (store: string) => {
  const root = join(store, 'ac');
  return readdirSync(root).flatMap((s) => readdirSync(join(root, s)).filter((f) => !f.startsWith('.')).map((f) => join(root, s, f)));
};

describe('dag cache push vouches only for what this checkout made', () => {
  test('a local entry that names other outputs than the record is not pushed (the rest is, exit 1); a lost local blob is taken from the work folder', () => {
    const local = mkdtempSync(join(tmpdir(), 'dag-push-local-'));
    const remote = mkdtempSync(join(tmpdir(), 'dag-push-remote-'));
    const env = { DAG_CACHE_DIR: local };
    const a = withRemote(makeToyProject(), remote);
    expect(dag(a, ['run', 'all'], env).code).toBe(0);
    const store = new FileStore(local);
    const entry = (instance: string) => manifests(local).map((f) => JSON.parse(readFileSync(f, 'utf8'))).find((m) => m.instance === instance)!;
    // someone with write access to the shared local store swaps total's entry for a consistent wrong one
    const evil = Buffer.from('666');
    store.writeBlobSync(sha256(evil), evil);
    const total = entry('total');
    rmSync(store.manifestPath(total.key));
    store.writeManifestIfAbsentSync(total.key, encodeManifest({ ...total, outputs: { 'out/total.txt': { hash: sha256(evil), size: evil.length } } }));
    // and double[B]'s blob is lost (its artifact in the work folder still has the bytes)
    const lost = entry('double[B]').outputs['out/double/B.txt'].hash;
    rmSync(store.blobPath(lost));
    const r = dag(a, ['cache', 'push', 'all'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cache: did not upload total (key " + total.key + "): the local store's manifest names another out/total.txt than this checkout's record");
    expect(r.stderr).toContain('dag: could not push 1 instance(s): total');
    const pushed = manifests(remote).map((f) => JSON.parse(readFileSync(f, 'utf8')).instance).sort();
    expect(pushed).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]']);
    expect(readFileSync(new FileStore(remote).blobPath(lost), 'utf8')).toBe(readFileSync(join(a, 'out/double/B.txt'), 'utf8'));
    // another clone restores what was pushed and computes total itself, right
    const b = withRemote(makeToyProject(), remote);
    const s = runJson(b, ['run', 'all']);
    expect([restored(s).length, ran(s)]).toEqual([4, ['total']]);
    expect(readFileSync(join(b, 'out/total.txt'), 'utf8')).toBe('12');
  });
});

describe('dag cache push after a rerun that made other bytes', () => {
  test('the rerun\'s entry replaces the old one in the local store, so push vouches for it', () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-push-nondet-'));
    const a = withRemote(makeToyProject(), remote);
    // a task that is not deterministic: the same key, other bytes on every run
    writeFileSync(join(a, 'tasks/bench.mjs'), "export default function (ctx) { ctx.writeBytes('out/bench.txt', String(Math.random())); }\n");
    runJson(a, ['run', 'all']);
    runJson(a, ['run', 'all', '--force']);
    const r = dag(a, ['cache', 'push', 'all', '--json']);
    expect([r.code, JSON.parse(r.stdout).failed]).toEqual([0, []]);
    const bench = manifests(remote).map((f) => JSON.parse(readFileSync(f, 'utf8'))).find((m) => m.instance === 'bench')!;
    expect(bench.outputs['out/bench.txt'].hash).toBe(sha256(readFileSync(join(a, 'out/bench.txt'))));
  });
});

describe('dag cache pull', () => {
  test('a remote that fails is not waited for again: the instances after the first fail at once, saying so', () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-pull-dead-'));
    const tickers = Array.from({ length: 10 }, (_, i) => `T${i}`);
    const b = makeToyProject(tickers);
    writeFileSync(join(b, 'settings.yaml'), `tickers: [${tickers.join(', ')}]\nbenchmark: T0\nfactor: 2\ncache:\n  remote: ${pathToFileURL(join(remote, 'gone')).href}\n`);
    const r = dag(b, ['cache', 'pull', 'all']);
    expect(r.code).toBe(1);
    const failed = r.stdout.split('\n').filter((l) => l.startsWith('  FAILED'));
    expect(failed).toHaveLength(10);
    // those already asking when the first failed say what failed; the others do not ask
    const first = failed.filter((l) => /does not exist \(dag cache pull needs it\)/.test(l));
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.length).toBeLessThan(10);
    expect(first.length).toBeLessThanOrEqual(availableParallelism());
    expect(failed.filter((l) => /failed earlier in this run/.test(l))).toHaveLength(10 - first.length);
  });

  test('a file dag did not write is not replaced: the instance fails, what depends on it is counted apart from what no store has, and --overwrite restores it', () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-pull-remote-'));
    const clone = () => withRemote(makeToyProject(), remote);
    runJson(clone(), ['run', 'all', '--remote-write']);
    const b = clone();
    mkdirSync(join(b, 'out/double'), { recursive: true });
    writeFileSync(join(b, 'out/double/A.txt'), 'my own notes');
    const r = dag(b, ['cache', 'pull', 'all', '--json']);
    expect(r.code).toBe(1);
    // double[A] refused; total and bench read it; B and C restored
    expect(JSON.parse(r.stdout)).toMatchObject({ restored: 2, failed: 1, notInCache: [], notRestored: 2 });
    expect(readFileSync(join(b, 'out/double/A.txt'), 'utf8')).toBe('my own notes');
    const text = dag(b, ['cache', 'pull', 'all']);
    expect(text.stdout).toContain('not in any store 0, not restored after a failure upstream 2');
    expect(text.stdout).toMatch(/^ {2}FAILED double\[A\]: refusing to replace out\/double\/A\.txt/m);
    const o = dag(b, ['cache', 'pull', 'all', '--overwrite', '--json']);
    expect([o.code, JSON.parse(o.stdout).restored]).toEqual([0, 3]);
    expect(readFileSync(join(b, 'out/total.txt'), 'utf8')).toBe('12');
  });
});

describe('a corrupt blob in the remote', () => {
  test('a run that finds it recomputes the instance and, writing to the remote, puts the right bytes back', () => {
    const remote = mkdtempSync(join(tmpdir(), 'dag-corrupt-remote-'));
    const clone = () => withRemote(makeToyProject(), remote);
    const a = clone();
    runJson(a, ['run', 'all', '--remote-write']);
    const hash = sha256(readFileSync(join(a, 'out/total.txt')));
    const blob = new FileStore(remote).blobPath(hash);
    chmodSync(blob, 0o644);
    writeFileSync(blob, '99');
    const b = clone();
    const r = dag(b, ['run', 'all', '--remote-write']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ignoring the entry for total .*does not match its hash/);
    expect(readFileSync(blob, 'utf8')).toBe('12');
    // the next clone restores everything
    const s = runJson(clone(), ['run', 'all']);
    expect([restored(s).length, ran(s)]).toEqual([5, []]);
  });
});

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
