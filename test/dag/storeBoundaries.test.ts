import { describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeManifest } from '../../lib/dag/store/manifest.js';
import { jobFilesSchema } from '../../lib/dag/executor/job.js';
import { FileStore } from '../../lib/dag/store/fileStore.js';
import { fetchBlobs } from '../../lib/dag/store/transfer.js';
import { sha256 } from '../../lib/dag/hashMemo.js';

const h = 'a'.repeat(64);
const withFile = (rel: string) => Buffer.from(JSON.stringify({
  version: 1, key: h, instance: 'registry', ms: 1,
  outputs: { 'artifacts/models/ml/': { hash: h, size: 1, files: { [rel]: { hash: h, size: 1 } } } },
}));

describe('a manifest from a store names files inside their directory output only', () => {
  // a backslash is a plain character of a POSIX name: the writer stores what readdir gives it
  test.each(['models.json', 'folds/h1@2015-01-02.onnx', 'win\\style.json'])('%s is a file of the folder', (rel) => {
    expect(typeof decodeManifest(withFile(rel), h)).toBe('object');
  });
  // a restore joins the name to the folder: these would write outside it (or nowhere sensible)
  test.each(['../../../data/my_notes.txt', 'a/../../x', '/etc/passwd', 'a//b', './a', ''])('%j is refused, so the entry is ignored and recomputed', (rel) => {
    expect(decodeManifest(withFile(rel), h)).toMatch(/^manifest is malformed: outputs\.artifacts\/models\/ml\/\.files\./);
  });
});

describe('the paths of a manifest\'s (or a worker job\'s) outputs stay inside the work folder', () => {
  const withOutput = (path: string) => Buffer.from(JSON.stringify({ version: 1, key: h, instance: 'x', ms: 1, outputs: { [path]: { hash: h, size: 1 } } }));
  test.each(['out/x.txt', 'artifacts/models/ml/'])('%s is kept', (path) => {
    expect(typeof decodeManifest(withOutput(path), h)).toBe('object');
  });
  test.each(['/tmp/ESCAPED-abs.txt', 'raw/../../ESCAPED-rel.txt', '../x/'])('%s is refused', (path) => {
    expect(decodeManifest(withOutput(path), h)).toMatch(/^manifest is malformed: outputs\./);
  });
  test('a worker job whose files would land outside its scratch folder is malformed', () => {
    expect(jobFilesSchema.safeParse({ 'raw/A.txt': { hash: h, size: 1 } }).success).toBe(true);
    expect(jobFilesSchema.safeParse({ 'raw/../../ESCAPED-rel.txt': { hash: h, size: 1 } }).success).toBe(false);
  });
});

describe('fetching from a remote into a local store that cannot take it', () => {
  test('a full local disk is the local store\'s problem, named as such, not a remote failure', async () => {
    const remote = new FileStore(mkdtempSync(join(tmpdir(), 'dag-remote-')));
    const bytes = Buffer.from('a blob');
    remote.writeBlobSync(sha256(bytes), bytes);
    class FullDisk extends FileStore {
      override writeBlobSync(): void {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
    }
    const local = new FullDisk(mkdtempSync(join(tmpdir(), 'dag-local-')));
    const r = await fetchBlobs(remote, local, [{ hash: sha256(bytes), size: bytes.length, path: 'out/x.txt' }]);
    expect(r).toEqual({ problem: `the local store ${local.dir} cannot keep blob ${sha256(bytes)} for out/x.txt: ENOSPC: no space left on device, write` });
  });
});
