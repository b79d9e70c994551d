import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeToyProject } from '../support/toyProject.js';
import { ran } from '../support/cli.js';
import { restored, treeBytes } from '../support/cacheStore.js';
import { dagAsync, startS3, S3_ENV, type S3Server } from '../support/s3.js';
import { FileStore } from '../../lib/dag/store/fileStore.js';
import { S3Store } from '../../lib/dag/store/s3Store.js';
import type { Store } from '../../lib/dag/store/store.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const json = (r: { stdout: string; stderr: string; code: number }) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};
const records = (dir: string) => JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')).records as Record<string, { key: string }>;

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close().catch(() => undefined);
});

const s3Settings = (prefix: string, write: boolean) => `cache:\n  remote: s3://dag-cache/${prefix}\n  remote_endpoint: ${s3.endpoint}\n  remote_write: ${write}\n  timeout: 5\n`;
const withCache = (dir: string, cache: string) => writeFileSync(join(dir, 'settings.yaml'), `tickers: [A, B, C]\nbenchmark: A\nfactor: 2\n${cache}`);

describe('every store implementation keeps the same contract', () => {
  const stores: [string, () => Store][] = [
    ['file', () => new FileStore(mkdtempSync(join(tmpdir(), 'dag-remote-')), true)],
    ['s3', () => new S3Store(`s3://dag-cache/contract-${Math.random().toString(36).slice(2)}`, { endpoint: s3.endpoint, region: 'us-east-1', timeoutMs: 5000 })],
  ];
  for (const [name, make] of stores) {
    test(`${name}: blobs by hash, a manifest written only if absent`, async () => {
      Object.assign(process.env, S3_ENV);
      const store = make();
      const hash = sha('hello');
      expect(await store.hasBlob(hash)).toBe(false);
      expect(await store.getBlob(hash)).toBeNull();
      await store.putBlob(hash, Buffer.from('hello'));
      expect(await store.hasBlob(hash)).toBe(true);
      expect(Buffer.from((await store.getBlob(hash))!).toString()).toBe('hello');
      const key = sha('key');
      expect(await store.getManifest(key)).toBeNull();
      expect(await store.putManifestIfAbsent(key, Buffer.from('first'))).toBe(true);
      expect(await store.putManifestIfAbsent(key, Buffer.from('second'))).toBe(false);
      expect(Buffer.from((await store.getManifest(key))!).toString()).toBe('first');
      (store as { close?: () => void }).close?.();
    });
  }
});

describe('a shared S3 remote (s3rver)', () => {
  test('a fresh clone with empty artifacts and a warm remote restores every instance: the same keys and bytes as the clone that wrote it', async () => {
    const a = makeToyProject();
    withCache(a, s3Settings('fresh', true));
    const first = json(await dagAsync(a, ['run', 'all', '--json'], S3_ENV));
    expect(ran(first)).toHaveLength(5);

    const b = makeToyProject();
    withCache(b, s3Settings('fresh', false));
    const r = await dagAsync(b, ['run', 'all', '--json'], S3_ENV);
    const second = json(r);
    expect(ran(second)).toEqual([]);
    expect(restored(second)).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]', 'total']);
    expect(second.instances.every((i: { from?: string }) => i.action !== 'restored' || i.from === 'remote')).toBe(true);
    expect(treeBytes(b, ['out'])).toEqual(treeBytes(a, ['out']));
    // portable keys: two folders, one set of keys
    expect(records(b)).toBeTruthy();
    for (const [id, rec] of Object.entries(records(a))) expect(records(b)[id].key).toBe(rec.key);
    const status = json(await dagAsync(b, ['cache', 'status', '--json'], S3_ENV));
    expect(status.hitRate).toBe(1);
    expect(status.lastRun.remoteHits).toBe(5);
  });

  test('a blob tampered with in the bucket is detected and recomputed, and the rest restored', async () => {
    const a = makeToyProject();
    withCache(a, s3Settings('tamper', true));
    json(await dagAsync(a, ['run', 'all', '--json'], S3_ENV));
    // overwrite double[C]'s blob ('6') in the bucket with another valid artifact ('2')
    const c = new S3Store('s3://dag-cache/tamper', { endpoint: s3.endpoint, timeoutMs: 5000 });
    Object.assign(process.env, S3_ENV);
    await c.putBlob(sha('6'), Buffer.from('2'));
    c.close();
    const b = makeToyProject();
    withCache(b, s3Settings('tamper', false));
    const r = await dagAsync(b, ['run', 'all', '--json'], S3_ENV);
    const s = json(r);
    expect(ran(s)).toEqual(['double[C]']);
    expect(restored(s)).toEqual(['bench', 'double[A]', 'double[B]', 'total']);
    expect(r.stderr).toContain(`ignoring the entry for double[C] (key ${records(a)['double[C]'].key}) in s3://dag-cache/tamper: blob ${sha('6')} for out/double/C.txt from s3://dag-cache/tamper does not match its hash`);
    expect(readFileSync(join(b, 'out/double/C.txt'), 'utf8')).toBe('6');
  });

  test('push and pull move what a target needs, with byte counts', async () => {
    const a = makeToyProject();
    withCache(a, s3Settings('pushpull', false));
    json(await dagAsync(a, ['run', 'all', '--json'], S3_ENV));
    const pushed = json(await dagAsync(a, ['cache', 'push', 'all', '--json'], S3_ENV));
    // five entries; blobs '2', '4', '6' (double), '12' (total), and bench's '2' shared with double[A]
    expect(pushed).toMatchObject({ entries: 5, written: 5, blobs: 4, bytes: 1 + 1 + 1 + 2 });
    const b = makeToyProject();
    withCache(b, s3Settings('pushpull', false));
    const pulled = json(await dagAsync(b, ['cache', 'pull', 'all', '--json'], S3_ENV));
    expect(pulled).toMatchObject({ restored: 5, notInCache: [], bytesDownloaded: 5 });
    expect(readFileSync(join(b, 'out/total.txt'), 'utf8')).toBe('12');
    const after = json(await dagAsync(b, ['run', 'all', '--json'], S3_ENV));
    expect(after.skipped).toBe(5);
  });
});

describe('a remote that fails is a warning, never a failed run', () => {
  const stopMidRun = async (requireRemote: boolean) => {
    const server = await startS3();
    const dir = makeToyProject(['A', 'B', 'C'], { 'raw/B.txt': 'sleep:3000' });
    writeFileSync(join(dir, 'settings.yaml'), `tickers: [A, B, C]\nbenchmark: A\nfactor: 2\ncache:\n  remote: s3://dag-cache/mid\n  remote_endpoint: ${server.endpoint}\n  remote_write: true\n  timeout: 3\n`);
    const run = dagAsync(dir, ['run', 'all', '--json', '--concurrency', '1', ...(requireRemote ? ['--require-remote'] : [])], S3_ENV);
    // stop the server once the first instance's manifest has arrived
    const hasManifest = (d: string): boolean => readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasManifest(join(d, e.name)) : e.name.endsWith('.json._S3rver_object') || (d.includes('/ac/') && !e.name.startsWith('.'))));
    const t0 = Date.now();
    while (!hasManifest(server.directory)) {
      if (Date.now() - t0 > 60000) throw new Error('no manifest reached the remote');
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.close();
    return { dir, r: await run };
  };

  test('the remote stopped mid-run: the run finishes locally with a warning, exit 0', async () => {
    const { dir, r } = await stopMidRun(false);
    expect(r.code).toBe(0);
    const s = json(r);
    expect(ran(s)).toHaveLength(5);
    expect(r.stderr).toMatch(/warn: cache: remote store s3:\/\/dag-cache\/mid failed (writing|reading) [0-9a-f]{64} .*going on with the local store only/);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe(String(2 * (1 + 1 + 3)));
  });

  test('with --require-remote the same failure is an error, exit 1', async () => {
    const { r } = await stopMidRun(true);
    expect(r.code).toBe(1);
    expect(json(r).failed).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/--require-remote/);
  });

  test('a file:// remote whose folder is missing: warning and a local run; --require-remote: exit 1', async () => {
    const dir = makeToyProject();
    const missing = pathToFileURL(join(tmpdir(), `dag-no-such-remote-${process.pid}`)).href;
    withCache(dir, `cache:\n  remote: ${missing}\n`);
    const r = await dagAsync(dir, ['run', 'all', '--json']);
    expect(r.code).toBe(0);
    expect(ran(json(r))).toHaveLength(5);
    expect(r.stderr).toMatch(/remote store file:\/\/.* failed reading [0-9a-f]{64} \(store folder .* does not exist\)/);
    writeFileSync(join(dir, 'raw/A.txt'), '7');
    const strict = await dagAsync(dir, ['run', 'all', '--json', '--require-remote']);
    expect(strict.code).toBe(1);
  });
});
