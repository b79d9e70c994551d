import { join } from 'node:path';
import { listFiles, type HashMemo } from '../hashMemo.js';
import type { FileStore } from './fileStore.js';
import { decodeManifest, encodeManifest, outputsDiffer, type Manifest } from './manifest.js';

export interface IngestInput {
  key: string;
  instance: string;
  /** Declared output paths, as the work folder has them now (hashed by the runner). */
  outputs: Record<string, string>;
  ms: number;
  report?: Record<string, unknown>;
}

/**
 * Keep a successful instance's outputs in the local store: each file adopted as a blob (by hard
 * link: no bytes copied), then the manifest, last and only if absent. The hashes come from the
 * runner's hash memo, which has just read these files.
 */
export function ingestOutputs(local: FileStore, entry: IngestInput, abs: (p: string) => string, memo: HashMemo, signingKey?: string): Manifest {
  const outputs: Manifest['outputs'] = {};
  for (const [path, hash] of Object.entries(entry.outputs)) {
    const final = abs(path);
    if (!path.endsWith('/')) {
      const st = memo.stamp(final);
      if (!st || st.hash !== hash) throw new Error(`${path} changed while it was being stored`);
      local.adoptFile(st.hash, final);
      outputs[path] = { hash, size: st.size };
      continue;
    }
    const files: Record<string, { hash: string; size: number }> = {};
    let size = 0;
    for (const rel of listFiles(final)) {
      const st = memo.stamp(join(final, rel))!;
      local.adoptFile(st.hash, join(final, rel));
      files[rel] = { hash: st.hash, size: st.size };
      size += st.size;
    }
    outputs[path] = { hash, size, files };
  }
  const manifest: Manifest = { version: 1, key: entry.key, instance: entry.instance, ms: entry.ms, outputs, ...(entry.report ? { report: entry.report } : {}) };
  const bytes = encodeManifest(manifest, signingKey);
  if (!local.writeManifestIfAbsentSync(entry.key, bytes)) {
    // this run's outputs are what the record points at: an entry for the key that names other
    // bytes (a task that is not deterministic, rerun with --force) gives way, or push refuses it
    const old = decodeManifest(local.readManifestSync(entry.key) ?? new Uint8Array(), entry.key);
    if (typeof old === 'string' || outputsDiffer(old, entry.outputs)) local.replaceManifestSync(entry.key, bytes);
    else local.touch(entry.key);
  }
  // the manifest names the blobs now: a collection elsewhere sees them in use
  local.closePending();
  return manifest;
}
