import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { listFiles, sha256, type HashMemo } from '../hashMemo.js';
import { manifestBlobs, type Manifest } from '../store/manifest.js';
import { restoreOutputs } from '../store/restore.js';
import { fetchBlobs } from '../store/transfer.js';
import type { FileStore } from '../store/fileStore.js';
import type { Store } from '../store/store.js';
import type { JobFiles } from './job.js';

/**
 * The files a job needs, with the hashes its cache key was computed from: its inputs (files and
 * directories) and, for an incremental run, its own current outputs (it extends them).
 */
export function jobFiles(paths: Record<string, string | null>, abs: (p: string) => string, memo: HashMemo): JobFiles {
  const files: JobFiles = {};
  for (const [path, hash] of Object.entries(paths)) {
    if (hash === null) continue; // an absent input: the task fails on the worker as it would here
    if (!path.endsWith('/')) {
      const st = memo.stamp(abs(path));
      if (!st || st.hash !== hash) throw new Error(`${path} changed after its hash was taken`);
      files[path] = { hash, size: st.size };
      continue;
    }
    const entries: Record<string, { hash: string; size: number }> = {};
    let size = 0;
    for (const rel of listFiles(abs(path))) {
      const st = memo.stamp(join(abs(path), rel))!;
      entries[rel] = { hash: st.hash, size: st.size };
      size += st.size;
    }
    files[path] = { hash, size, files: entries };
  }
  return files;
}

/** A file set as a manifest, so the store's checks and restore apply to it unchanged. */
function asManifest(key: string, instance: string, files: JobFiles): Manifest {
  return { version: 1, key, instance, ms: 0, outputs: files };
}

/**
 * Upload the blobs of a file set the remote does not have (source CSVs, config tables, outputs
 * restored or kept only locally), each re-hashed from the work folder first. `known` remembers
 * blobs already there for the rest of the run.
 */
export async function uploadFiles(remote: Store, files: JobFiles, abs: (p: string) => string, known: Set<string>): Promise<number> {
  let uploaded = 0;
  for (const blob of manifestBlobs(asManifest('0'.repeat(64), 'upload', files))) {
    if (known.has(blob.hash)) continue;
    if (!(await remote.hasBlob(blob.hash))) {
      const data = readFileSync(abs(blob.path));
      if (sha256(data) !== blob.hash) throw new Error(`${blob.path} changed after its hash was taken`);
      await remote.putBlob(blob.hash, data);
      uploaded++;
    }
    known.add(blob.hash);
  }
  return uploaded;
}

/**
 * Put a job's files into a worker's scratch folder: blobs fetched from the remote into the
 * worker's own store (each re-hashed), then restored from there (re-hashed again, directory
 * lists checked) by the same code that restores cached outputs.
 */
export async function placeFiles(remote: Store, local: FileStore, key: string, instance: string, files: JobFiles, abs: (p: string) => string, memo: HashMemo): Promise<string | null> {
  const m = asManifest(key, instance, files);
  const fetched = await fetchBlobs(remote, local, manifestBlobs(m));
  if ('problem' in fetched) return fetched.problem;
  const placed = restoreOutputs(local, m, Object.keys(files), abs, memo);
  return 'problem' in placed ? placed.problem : null;
}
