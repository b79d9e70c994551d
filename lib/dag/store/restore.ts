import { copyFileSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempPathFor } from '../../io/atomic.js';
import { replaceDir } from '../../io/replaceDir.js';
import { directoryHash, sha256, type HashMemo } from '../hashMemo.js';
import type { FileStore } from './fileStore.js';
import { manifestBlobs, type Manifest } from './manifest.js';

export type RestoreResult = { outputs: Record<string, string>; bytes: number } | { problem: string };

/**
 * Put a manifest's outputs in place from the local store. Every blob is re-hashed first; one
 * that does not match (bit rot, a truncated or replaced file) is deleted from the store and the
 * restore is refused, nothing in the work folder touched. Files are hard links to the read-only
 * blobs (copies across file systems), staged beside their final paths and renamed in at the end.
 */
export function restoreOutputs(local: FileStore, m: Manifest, declared: string[], abs: (p: string) => string, memo: HashMemo): RestoreResult {
  const have = Object.keys(m.outputs).sort().join('\n');
  if (have !== [...declared].sort().join('\n')) return { problem: 'its outputs are not the declared outputs' };
  let bytes = 0;
  for (const blob of manifestBlobs(m)) {
    const data = local.readBlobSync(blob.hash);
    if (!data) return { problem: `blob ${blob.hash} for ${blob.path} is missing` };
    if (data.length !== blob.size || sha256(data) !== blob.hash) {
      local.removeBlob(blob.hash);
      return { problem: `blob ${blob.hash} for ${blob.path} does not match its hash (corrupted, truncated or replaced)` };
    }
    bytes += data.length;
  }
  for (const [path, o] of Object.entries(m.outputs)) {
    if (o.files && directoryHash(Object.entries(o.files).map(([rel, f]) => [rel, f.hash])) !== o.hash) {
      return { problem: `the file list of ${path} does not match its hash` };
    }
  }
  const staged: { final: string; tmp: string; dir: boolean }[] = [];
  try {
    for (const [path, o] of Object.entries(m.outputs)) {
      const final = abs(path).replace(/\/$/, '');
      mkdirSync(dirname(final), { recursive: true });
      const tmp = tempPathFor(final);
      staged.push({ final, tmp, dir: Boolean(o.files) });
      if (!o.files) place(local.blobPath(o.hash), tmp);
      else for (const [rel, f] of Object.entries(o.files)) place(local.blobPath(f.hash), join(tmp, rel));
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { recursive: true, force: true });
    throw err;
  }
  for (const s of staged) {
    if (s.dir) replaceDir(s.final, s.tmp);
    else renameSync(s.tmp, s.final);
  }
  // in declaration order, as a run records them
  const outputs: Record<string, string> = {};
  for (const path of declared) {
    const o = m.outputs[path];
    const final = abs(path);
    memo.invalidate(final);
    if (o.files) for (const [rel, f] of Object.entries(o.files)) memo.remember(join(final, rel), f.hash);
    else memo.remember(final, o.hash);
    outputs[path] = o.hash;
  }
  return { outputs, bytes };
}

/** Hard link where the file system allows it, else a copy (which is no alias of the blob). */
function place(blob: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(blob, to);
  } catch {
    copyFileSync(blob, to);
  }
}
