import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopback, loopbackHostHeader, newToken, tokenMatches } from '../../lib/ui/access.js';
import { resolveServed } from '../../lib/ui/safePath.js';
import { dominantState } from '../../lib/ui/graphState.js';

describe('the access token', () => {
  test('only loopback addresses go without one', () => {
    expect(['127.0.0.1', 'localhost', '::1'].map(isLoopback)).toEqual([true, true, true]);
    expect(['0.0.0.0', '127.0.0.2', '192.168.1.4', '::'].map(isLoopback)).toEqual([false, false, false, false]);
  });

  test('a token matches itself only', () => {
    const t = newToken();
    expect(t.length).toBeGreaterThanOrEqual(32);
    expect(newToken()).not.toBe(t);
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, t.slice(0, -1))).toBe(false);
    expect(tokenMatches(t, `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(tokenMatches(t, undefined)).toBe(false);
    expect(tokenMatches(t, '')).toBe(false);
  });

  test('a loopback server answers only requests that name this machine (DNS rebinding)', () => {
    expect(['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', '127.0.0.1'].map(loopbackHostHeader)).toEqual([true, true, true, true]);
    expect(['evil.example:8787', '127.0.0.1.evil.example', 'localhost.evil:80', undefined].map(loopbackHostHeader)).toEqual([false, false, false, false]);
  });
});

describe('files served from the artifacts folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dag-ui-safe-'));
  const root = join(dir, 'artifacts');
  mkdirSync(join(root, 'backtests/s1'), { recursive: true });
  mkdirSync(join(root, '.dag'), { recursive: true });
  writeFileSync(join(root, 'backtests/s1/report.html'), '<p>report</p>');
  writeFileSync(join(root, '.dag/records.json'), '{}');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'backtests/s1/link.txt'));
  symlinkSync(dir, join(root, 'up'));

  test('a report inside is served', () => {
    expect(resolveServed(root, 'backtests/s1/report.html')).toEqual({ ok: true, file: join(root, 'backtests/s1/report.html') });
  });

  test.each([
    '../secret.txt', 'backtests/../../secret.txt', '%2e%2e/secret.txt', '%2E%2E%2Fsecret.txt', '..%2fsecret.txt',
    '..%5csecret.txt', 'backtests/%2e%2e/%2e%2e/secret.txt', './backtests/s1/report.html',
  ])('%s is refused as leaving the folder', (p) => {
    expect(resolveServed(root, p)).toMatchObject({ ok: false, status: 403 });
  });

  test('symlinks that lead out are refused', () => {
    expect(resolveServed(root, 'backtests/s1/link.txt')).toMatchObject({ ok: false, status: 403, reason: 'a symlink leads out of the artifacts folder' });
    expect(resolveServed(root, 'up/secret.txt')).toMatchObject({ ok: false, status: 403 });
  });

  test('hidden files (the runner state), NUL bytes and bad encodings are refused', () => {
    expect(resolveServed(root, '.dag/records.json')).toMatchObject({ ok: false, status: 403 });
    expect(resolveServed(root, 'backtests%00/x')).toMatchObject({ ok: false, status: 400 });
    expect(resolveServed(root, '%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
    expect(resolveServed(root, 'backtests/s1')).toMatchObject({ ok: false, status: 404 });
    expect(resolveServed(root, 'nothing.html')).toMatchObject({ ok: false, status: 404 });
  });
});

describe('the state a node shows', () => {
  test('the most urgent of its instances\' states; a new state ranks before fresh', () => {
    expect(dominantState({ fresh: 2, stale: 1 })).toBe('stale');
    expect(dominantState({ failed: 1, running: 3, stale: 2 })).toBe('failed');
    expect(dominantState({ fresh: 5, restored: 1 })).toBe('restored');
    expect(dominantState({ fresh: 5, queued: 1 })).toBe('queued');
    expect(dominantState({ missing: 1, stale: 1 })).toBe('missing');
    expect(dominantState({})).toBe('disabled');
  });
});
