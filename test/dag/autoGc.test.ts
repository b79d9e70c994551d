import { describe, expect, test } from '@jest/globals';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, runJson } from '../support/cli.js';

/** Cache keys of the manifests on disk (ac/<shard>/<key>.json), counted without the store's code. */
function manifestKeys(dir: string): string[] {
  const ac = join(dir, 'artifacts/.dag/cache/ac');
  return readdirSync(ac).flatMap((shard) => readdirSync(join(ac, shard)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))).sort();
}

const recordKeys = (dir: string) =>
  Object.values((JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')) as { records: Record<string, { key: string }> }).records).map((r) => r.key).sort();

const run = (dir: string) => {
  const r = dag(dir, ['run', 'all']);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
};

describe('cache.max_size: the local store is collected after runs, at most once a day', () => {
  test('entries no record points at go when the collection is due; between collections they stay', () => {
    const dir = makeToyProject();
    appendFileSync(join(dir, 'settings.yaml'), 'cache: { max_size: 1B }\n');
    run(dir);
    expect(manifestKeys(dir)).toEqual(recordKeys(dir));
    // a new input: double[B] and total get new entries; the old ones are no record's any more,
    // but the collection ran with the first run, less than a day ago
    writeFileSync(join(dir, 'raw/B.txt'), '10');
    run(dir);
    expect(manifestKeys(dir)).toHaveLength(7);
    // a day later (the stamp moved back 25 hours) the next run that stores results collects
    const stamp = join(dir, 'artifacts/.dag/cache/.last-gc');
    const dayAgo = (Date.now() - 25 * 3_600_000) / 1000;
    utimesSync(stamp, dayAgo, dayAgo);
    writeFileSync(join(dir, 'raw/C.txt'), '20');
    const r = run(dir);
    expect(manifestKeys(dir)).toEqual(recordKeys(dir));
    expect(manifestKeys(dir)).toHaveLength(5);
    expect(r.stderr).toMatch(/cache gc \(cache\.max_size 1 B; at most once a day\): removed 4 of 9 entries/);
    // what the records point at is still in the store: a deleted output is restored, not rerun
    rmSync(join(dir, 'out/double/A.txt'));
    const again = runJson(dir, ['run', 'all']);
    expect(again.instances.filter((i) => i.action !== 'skipped').map((i) => [`${i.node}[${i.ticker}]`, i.action])).toEqual([['double[A]', 'restored']]);
    expect(readFileSync(join(dir, 'out/double/A.txt'), 'utf8')).toBe('2');
  });

  test('a size that is not one is a settings error naming the key', () => {
    const dir = makeToyProject();
    appendFileSync(join(dir, 'settings.yaml'), 'cache: { max_size: lots }\n');
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cache.max_size: must be a size such as 500M or 20G');
  });
});

describe('a collection and another writer of the same store', () => {
  test('a blob adopted again after the store was listed is kept; one untouched since is removed', async () => {
    const { FileStore } = await import('../../lib/dag/store/fileStore.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createHash } = await import('node:crypto');
    const dir = mkdtempSync(join(tmpdir(), 'gc-race-'));
    const store = new FileStore(join(dir, 'store'));
    const hash = createHash('sha256').update('same bytes').digest('hex');
    writeFileSync(join(dir, 'a.txt'), 'same bytes');
    store.adoptFile(hash, join(dir, 'a.txt'));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(30);
    const listedAt = Date.now();
    await sleep(30);
    // another writer's output with the same bytes: the blob exists, it is marked as used now
    writeFileSync(join(dir, 'b.txt'), 'same bytes');
    const { statSync } = await import('node:fs');
    const mtimeOfA = statSync(join(dir, 'a.txt')).mtimeMs; // a.txt is the blob's inode
    store.adoptFile(hash, join(dir, 'b.txt'));
    // the mark is the change time only: the work-folder file sharing the inode keeps its mtime
    expect(statSync(join(dir, 'a.txt')).mtimeMs).toBe(mtimeOfA);
    expect(store.removeBlob(hash, listedAt)).toBe(false);
    expect(store.hasBlobSync(hash)).toBe(true);
    // a collection that listed the store after that may take it
    expect(store.removeBlob(hash, Date.now() + 1000)).toBe(true);
    expect(store.hasBlobSync(hash)).toBe(false);
  });

  test('a blob another process adopted again stays while that process is not done, though the collection listed the store after the adoption and removes the old entry naming it', async () => {
    const { FileStore } = await import('../../lib/dag/store/fileStore.js');
    const { applyGc, listStore, planGc } = await import('../../lib/dag/store/gc.js');
    const { encodeManifest } = await import('../../lib/dag/store/manifest.js');
    const { createHash } = await import('node:crypto');
    const dir = mkdtempSync(join(tmpdir(), 'gc-pending-'));
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const manifest = (key: string, blob: string) => encodeManifest({ version: 1, key, instance: 'x', ms: 1, outputs: { 'out/x.txt': { hash: sha(blob), size: blob.length } } });
    // an entry of days ago and its blob, in a store two processes share
    const gcSide = new FileStore(join(dir, 'store'));
    writeFileSync(join(dir, 'old.txt'), 'same bytes');
    gcSide.adoptFile(sha('same bytes'), join(dir, 'old.txt'));
    gcSide.writeManifestIfAbsentSync('1'.repeat(64), manifest('1'.repeat(64), 'same bytes'));
    const daysAgo = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(gcSide.manifestPath('1'.repeat(64)), daysAgo, daysAgo);
    // a run in another process adopts the same bytes again, and has not published its manifest yet
    const writer = new FileStore(join(dir, 'store'));
    writeFileSync(join(dir, 'new.txt'), 'same bytes');
    writer.adoptFile(sha('same bytes'), join(dir, 'new.txt'));
    await new Promise((r) => setTimeout(r, 20));
    const collect = () => {
      const listedAt = Date.now();
      const plan = planGc(listStore(gcSide), new Set(), new Set(), { maxAgeMs: 86_400_000, now: listedAt, orphanGraceMs: 3_600_000 });
      applyGc(gcSide, plan, listedAt, () => undefined, 3_600_000);
      return plan;
    };
    // listed after the adoption (its ctime mark is older than the listing): only the note keeps it
    expect(collect()).toMatchObject({ removeKeys: ['1'.repeat(64)], removeBlobs: [sha('same bytes')] });
    expect(gcSide.hasBlobSync(sha('same bytes'))).toBe(true);
    writer.writeManifestIfAbsentSync('2'.repeat(64), manifest('2'.repeat(64), 'same bytes'));
    writer.closePending();
    expect(readdirSync(join(dir, 'store/pending'))).toEqual([]);
    // published: the new entry names it, nothing to remove
    expect(collect().removeBlobs).toEqual([]);
    expect(gcSide.hasBlobSync(sha('same bytes'))).toBe(true);
    // a note of a writer killed over an hour ago protects nothing, and goes
    writeFileSync(join(dir, 'store/pending/1-1.txt'), sha('other') + '\n');
    utimesSync(join(dir, 'store/pending/1-1.txt'), daysAgo, daysAgo);
    expect(gcSide.pendingBlobs(Date.now(), 3_600_000)).toEqual(new Set());
    expect(readdirSync(join(dir, 'store/pending'))).toEqual([]);
    // temp files a killed writer left: an hour old they go, a live writer's stay
    const shard = join(dir, 'store/blobs', sha('same bytes').slice(0, 2));
    writeFileSync(join(shard, `.${sha('x')}.tmp-999999-0123abcd`), 'half');
    utimesSync(join(shard, `.${sha('x')}.tmp-999999-0123abcd`), daysAgo, daysAgo);
    writeFileSync(join(shard, `.${sha('y')}.tmp-${process.pid}-89abcdef`), 'being written');
    collect();
    expect(readdirSync(shard).filter((f) => f.startsWith('.'))).toEqual([`.${sha('y')}.tmp-${process.pid}-89abcdef`]);
  });

  test('cache.max_size may be a plain number of bytes, as --max-size may', () => {
    const dir = makeToyProject();
    appendFileSync(join(dir, 'settings.yaml'), 'cache: { max_size: 1 }\n');
    run(dir);
    writeFileSync(join(dir, 'raw/B.txt'), '10');
    utimesSync(join(dir, 'artifacts/.dag/cache/.last-gc'), 0, 0);
    expect(run(dir).stderr).toMatch(/cache gc \(cache\.max_size 1 B; at most once a day\): removed 2 of 7 entries/);
  });
});

describe('a long collection keeps the run lock', () => {
  const renewedOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { renewed: string }).renewed;

  test('keepAlive() renews the lease in a synchronous stretch, where the renewal timer cannot fire', async () => {
    const { acquireRunLock, RENEW_MS } = await import('../../lib/dag/runLock.js');
    const state = mkdtempSync(join(tmpdir(), 'dag-lease-'));
    const release = acquireRunLock(state, 'dag cache gc');
    const file = join(state, 'lock');
    const first = renewedOf(file);
    // a gc reading manifests for longer than a renewal period, without yielding to the event loop
    const until = Date.now() + RENEW_MS + 300;
    while (Date.now() < until) { /* busy */ }
    expect(renewedOf(file)).toBe(first); // the premise: the timer did not run
    release.keepAlive();
    const second = renewedOf(file);
    expect(Date.parse(second) - Date.parse(first)).toBeGreaterThanOrEqual(RENEW_MS);
    // not due again yet: nothing written
    release.keepAlive();
    expect(renewedOf(file)).toBe(second);
    release();
    expect(readdirSync(state)).toEqual([]);
  });

  test('the collection calls keepAlive for every manifest it reads and every entry and blob it removes', async () => {
    const { FileStore } = await import('../../lib/dag/store/fileStore.js');
    const { applyGc, listStore } = await import('../../lib/dag/store/gc.js');
    const dir = makeToyProject();
    run(dir);
    const store = new FileStore(join(dir, 'artifacts/.dag/cache'));
    let calls = 0;
    const listing = listStore(store, () => calls++);
    expect(listing.manifests).toHaveLength(manifestKeys(dir).length);
    expect(calls).toBeGreaterThanOrEqual(listing.manifests.length);
    calls = 0;
    const plan = { removeKeys: listing.manifests.map((m) => m.key), removeBlobs: listing.blobs.map((b) => b.hash), entriesBefore: 0, bytesBefore: 0, bytesAfter: 0 };
    applyGc(store, plan, Date.now(), () => calls++);
    expect(calls).toBe(plan.removeKeys.length + plan.removeBlobs.length);
    expect(listStore(store).manifests).toEqual([]);
  });
});
