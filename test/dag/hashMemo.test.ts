import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashMemo } from '../../lib/dag/hashMemo.js';

describe('HashMemo', () => {
  test('hashes by content, reuses the memo while (size, mtime, inode) are unchanged, re-hashes when they change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memo-'));
    const file = join(dir, 'f.txt');
    writeFileSync(file, 'hello');
    // whole seconds, so that setting the same mtime again is exact
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const memo = new HashMemo(join(dir, 'memo.json'));
    const expected = createHash('sha256').update('hello').digest('hex');
    expect(memo.hash(file)).toBe(expected);
    memo.save();
    // same size, same mtime: the memo answers without reading (proved by the stale answer)
    writeFileSync(file, 'HELLO');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const reloaded = new HashMemo(join(dir, 'memo.json'));
    expect(reloaded.hash(file)).toBe(expected);
    // a different mtime forces a re-read
    utimesSync(file, 1_700_000_005, 1_700_000_005);
    // within one process a path is stat-ed once; a new run (new memo object) sees the change
    expect(reloaded.hash(file)).toBe(expected);
    expect(new HashMemo(join(dir, 'memo.json')).hash(file)).toBe(createHash('sha256').update('HELLO').digest('hex'));
    expect(reloaded.hash(join(dir, 'absent'))).toBeNull();
  });

  test('remember takes a writer\'s hash only when the file has the size it wrote; otherwise the file is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memo-'));
    const file = join(dir, 'f.bin');
    writeFileSync(file, 'twelve bytes');
    const memo = new HashMemo(join(dir, 'memo.json'));
    // a hash that is not the content's: taken as given (no read) when the size matches
    expect(memo.remember(file, 'f'.repeat(64), 12)).toBe(true);
    expect(memo.hash(file)).toBe('f'.repeat(64));
    // another size on disk: not taken, and the next hash reads the file
    const other = join(dir, 'g.bin');
    writeFileSync(other, 'thirteen byte');
    expect(memo.remember(other, 'e'.repeat(64), 12)).toBe(false);
    expect(memo.hash(other)).toBe(createHash('sha256').update('thirteen byte').digest('hex'));
  });
});
