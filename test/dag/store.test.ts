import { describe, expect, test } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { makeToyProject } from '../support/toyProject.js';
import { dag, ran, runJson } from '../support/cli.js';
import { restored, treeBytes } from '../support/cacheStore.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const settings = (factor: number, extra = '') => `tickers: [A, B, C]\nbenchmark: A\nfactor: ${factor}\n${extra}`;
const storeOf = (dir: string) => join(dir, 'artifacts/.dag/cache');
const blobOf = (dir: string, bytes: string) => join(storeOf(dir), 'blobs', sha(bytes).slice(0, 2), sha(bytes));

describe('a result computed once is restored, not recomputed', () => {
  test('factor 2 -> 3 -> 2: the third run executes nothing, restores all 5 instances, and its bytes equal the first run', () => {
    const dir = makeToyProject();
    const first = runJson(dir, ['run', 'all']);
    expect(ran(first)).toHaveLength(5);
    const firstBytes = treeBytes(dir, ['out']);
    // raw 1, 2, 3 doubled: 2 + 4 + 6
    expect(firstBytes.get('out/total.txt')!.toString()).toBe('12');
    writeFileSync(join(dir, 'settings.yaml'), settings(3));
    expect(ran(runJson(dir, ['run', 'all']))).toHaveLength(5);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('18');
    writeFileSync(join(dir, 'settings.yaml'), settings(2));

    const st = JSON.parse(dag(dir, ['status', '--json']).stdout).instances as { node: string; ticker: string | null; reasons: string[]; restorable: boolean }[];
    expect(st.find((i) => i.ticker === 'B')!.reasons).toEqual(['param changed: factor (in cache: will restore)']);
    // total's inputs are predicted from the restored doubles' manifests
    expect(st.every((i) => i.restorable)).toBe(true);
    expect(dag(dir, ['status', '--verbose']).stdout).toContain('B: stale: param changed: factor (in cache: will restore)');
    expect(dag(dir, ['run', 'all', '--dry-run']).stdout).toContain('would run double[C]: param changed: factor (in cache: will restore)');

    const third = runJson(dir, ['run', 'all']);
    expect(ran(third)).toEqual([]);
    expect(restored(third)).toEqual(['bench', 'double[A]', 'double[B]', 'double[C]', 'total']);
    expect((third as unknown as { restored: number }).restored).toBe(5);
    expect(treeBytes(dir, ['out'])).toEqual(firstBytes);
    // restored means recorded: the next run skips everything
    const fourth = runJson(dir, ['run', 'all']);
    expect(fourth.skipped).toBe(5);
    const text = dag(dir, ['run', 'all', '--force']);
    expect(text.stdout).toMatch(/all: ran 5, skipped 0/);
  });

  test('the run summary line and the key: restored instances carry their cache key', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), settings(3));
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), settings(2));
    const r = dag(dir, ['run', 'all']);
    expect(r.stdout).toMatch(/all: ran 0, restored 5, skipped 0 \(cached\), failed 0/);
    const records = JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')).records as Record<string, { key: string }>;
    const manifest = JSON.parse(readFileSync(join(storeOf(dir), 'ac', records['double[A]'].key.slice(0, 2), `${records['double[A]'].key}.json`), 'utf8'));
    expect(manifest.outputs['out/double/A.txt']).toEqual({ hash: sha('2'), size: 1 });
  });

  test('restored files are read-only hard links of read-only blobs, so writing through one cannot corrupt the store silently', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    const out = join(dir, 'out/double/B.txt');
    const blob = blobOf(dir, '4');
    expect(statSync(blob).ino).toBe(statSync(out).ino);
    expect(statSync(blob).mode & 0o222).toBe(0);
    expect(statSync(out).mode & 0o222).toBe(0);
  });

  test('--no-cache neither restores nor stores', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), settings(3));
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), settings(2));
    expect(ran(runJson(dir, ['run', 'all', '--no-cache']))).toHaveLength(5);
    const other = makeToyProject();
    runJson(other, ['run', 'all', '--no-cache']);
    expect(existsSync(storeOf(other))).toBe(false);
  });

  test('an output deleted outside dag comes back from the store', () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    const s = runJson(dir, ['run', 'all', '--json']);
    expect(s.skipped).toBe(5);
    rmSync(join(dir, 'out/total.txt'));
    const again = runJson(dir, ['run', 'all']);
    expect(restored(again)).toEqual(['total']);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('12');
  });
});

describe('restoring over outputs that already are the stored blobs', () => {
  test('a state folder lost, the store kept: everything is restored in place and no temp file is left', () => {
    const dir = makeToyProject();
    const store = mkdtempSync(join(tmpdir(), 'dag-kept-store-'));
    writeFileSync(join(dir, 'settings.yaml'), settings(2, `cache:\n  dir: ${store}\n`));
    runJson(dir, ['run', 'all']);
    const before = treeBytes(dir, ['out']);
    rmSync(join(dir, 'artifacts/.dag'), { recursive: true });
    // without its state folder dag has no record of writing the outputs: it replaces them only when told (rule 1)
    const s = runJson(dir, ['run', 'all', '--overwrite']);
    expect(restored(s)).toHaveLength(5);
    expect(treeBytes(dir, ['out'])).toEqual(before);
    // the outputs were links to the very blobs restored: rename(2) of one link onto another does nothing
    const hidden = readdirSync(join(dir, 'out/double')).filter((f) => f.startsWith('.'));
    expect(hidden).toEqual([]);
    expect(readdirSync(join(dir, 'out')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('the store is never trusted', () => {
  const setup = () => {
    const dir = makeToyProject();
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), settings(3));
    runJson(dir, ['run', 'all']);
    writeFileSync(join(dir, 'settings.yaml'), settings(2));
    return dir;
  };
  const records = (dir: string) => JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')).records as Record<string, { key: string }>;

  const damage: [string, (blob: string, dir: string) => void][] = [
    ['one byte flipped', (blob) => writeFileSync(blob, '5')],
    ['truncated', (blob) => writeFileSync(blob, '')],
    ['replaced by another valid artifact', (blob, dir) => writeFileSync(blob, readFileSync(join(dir, 'out/double/C.txt')))],
  ];
  for (const [what, harm] of damage) {
    test(`a blob ${what} is detected, reported with key and path, and the instance recomputed`, () => {
      const dir = setup();
      // double[B] with factor 2 wrote '4'; its blob is a separate inode now (the factor-3 run replaced the file)
      const blob = blobOf(dir, '4');
      chmodSync(blob, 0o644);
      harm(blob, dir);
      const r = dag(dir, ['run', 'all', '--json']);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(ran(s)).toEqual(['double[B]']);
      expect(restored(s)).toEqual(['bench', 'double[A]', 'double[C]', 'total']);
      expect(r.stderr).toMatch(new RegExp(`warn: cache: ignoring the entry for double\\[B\\] \\(key [0-9a-f]{64}\\) in local store: blob ${sha('4')} for out/double/B.txt does not match its hash`));
      expect(r.stderr).toContain(`(key ${records(dir)['double[B]'].key})`);
      expect(readFileSync(join(dir, 'out/double/B.txt'), 'utf8')).toBe('4');
      expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('12');
    });
  }

  test('a manifest with a bad signature is rejected and the instance recomputed; a good one is used', () => {
    const dir = makeToyProject();
    const env = { DAG_CACHE_SIGNING_KEY: 'team-secret' };
    dag(dir, ['run', 'all'], env);
    writeFileSync(join(dir, 'settings.yaml'), settings(3));
    dag(dir, ['run', 'all'], env);
    writeFileSync(join(dir, 'settings.yaml'), settings(2));
    // rewrite double[A]'s factor-2 manifest with another key's signature
    const acRoot = join(storeOf(dir), 'ac');
    const files = readdirSync(acRoot).flatMap((s) => readdirSync(join(acRoot, s)).map((f) => join(acRoot, s, f)));
    const target = files.find((f) => JSON.parse(readFileSync(f, 'utf8')).instance === 'double[A]' && JSON.parse(readFileSync(f, 'utf8')).outputs['out/double/A.txt'].hash === sha('2'))!;
    const m = JSON.parse(readFileSync(target, 'utf8'));
    const { signature, ...body } = m;
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const sorted = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
    const forged = createHmac('sha256', 'attacker').update(JSON.stringify(sorted(body)) + '\n').digest('hex');
    chmodSync(target, 0o644);
    writeFileSync(target, JSON.stringify({ ...body, signature: forged }));
    const r = dag(dir, ['run', 'all', '--json'], env);
    const s = JSON.parse(r.stdout);
    expect(ran(s)).toEqual(['double[A]']);
    expect(r.stderr).toMatch(/ignoring the entry for double\[A\] \(key [0-9a-f]{64}\) in local store: manifest signature does not match/);
    expect(readFileSync(join(dir, 'out/double/A.txt'), 'utf8')).toBe('2');
  });
});
