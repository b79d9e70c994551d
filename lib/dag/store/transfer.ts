import { existsSync, readFileSync } from 'node:fs';
import { sha256 } from '../hashMemo.js';
import type { FileStore } from './fileStore.js';
import { decodeManifest, encodeManifest, manifestBlobs, outputsDiffer, type BlobRef, type Manifest } from './manifest.js';
import type { Store } from './store.js';

/** `corruptBlob`: a remote blob whose bytes do not hash to its name (a writer may replace it). */
export type FetchResult = { manifest: Manifest; bytes: number } | { problem: string; corruptBlob?: string } | null;

/**
 * Copy one entry from a remote into the local store: the manifest is decoded (and its signature
 * checked) before any blob is fetched, every fetched blob is re-hashed, and the manifest is
 * written locally only after all its blobs are there. null: the remote has no such entry.
 */
export async function fetchEntry(remote: Store, local: FileStore, key: string, signingKey?: string): Promise<FetchResult> {
  const raw = await remote.getManifest(key);
  if (!raw) return null;
  const manifest = decodeManifest(raw, key, signingKey);
  if (typeof manifest === 'string') return { problem: manifest };
  const fetched = await fetchBlobs(remote, local, manifestBlobs(manifest));
  if ('problem' in fetched) return fetched;
  try {
    if (!local.writeManifestIfAbsentSync(key, raw)) {
      // a local manifest that failed its checks was removed; one that is there now is a valid one
      local.touch(key);
    }
  } catch (err) {
    return { problem: `the local store ${local.dir} cannot keep the manifest: ${(err as Error).message}` };
  } finally {
    local.closePending();
  }
  return { manifest, bytes: fetched.bytes };
}

/** Download the blobs the local store lacks, each re-hashed before it is kept. */
export async function fetchBlobs(remote: Store, local: FileStore, blobs: BlobRef[]): Promise<{ bytes: number } | { problem: string; corruptBlob?: string }> {
  let bytes = 0;
  for (const blob of blobs) {
    if (local.hasBlobSync(blob.hash)) {
      local.keepBlob(blob.hash);
      continue;
    }
    const data = await remote.getBlob(blob.hash);
    if (!data) return { problem: `blob ${blob.hash} for ${blob.path} is missing from ${remote.url}` };
    if (data.length !== blob.size || sha256(data) !== blob.hash) {
      return { problem: `blob ${blob.hash} for ${blob.path} from ${remote.url} does not match its hash (corrupted, truncated or replaced)`, corruptBlob: blob.hash };
    }
    // a local store that cannot take it (full disk) is the local store's problem, not the remote's
    try {
      local.writeBlobSync(blob.hash, data);
    } catch (err) {
      return { problem: `the local store ${local.dir} cannot keep blob ${blob.hash} for ${blob.path}: ${(err as Error).message}` };
    }
    bytes += data.length;
  }
  return { bytes };
}

export type PushResult = { bytes: number; blobs: number; wrote: boolean } | { problem: string };

/** What the pusher knows of the entry it pushes, to check the local store's copy against. */
export interface PushCheck {
  /** Output path -> content hash, as this checkout's record (or this run) has them. */
  outputs: Record<string, string>;
  /** Absolute path of an output file in the work folder: a blob the local store lost is taken from there when it still hashes right. */
  abs?: (path: string) => string;
  /** Remote blobs found corrupt: uploaded again though the remote has them. */
  replace?: ReadonlySet<string>;
}

/**
 * Copy one entry from the local store to a remote: blobs first (each re-hashed before upload,
 * so a corrupt local blob never spreads), the manifest last and only if absent, signed with the
 * pusher's key when one is set. The pusher signs what it vouches for, so the local manifest must
 * name exactly the outputs the pusher's record has (a shared local store's entry is someone else's
 * word), and a blob missing from the local store is taken from the work folder when its file there
 * still hashes to it.
 */
export async function pushEntry(local: FileStore, remote: Store, key: string, signingKey: string | undefined, check: PushCheck): Promise<PushResult> {
  const raw = local.readManifestSync(key);
  if (!raw) return { problem: `no local entry for key ${key}` };
  const manifest = decodeManifest(raw, key);
  if (typeof manifest === 'string') return { problem: manifest };
  const differs = outputsDiffer(manifest, check.outputs);
  if (differs) return { problem: `the local store's manifest names ${differs} than this checkout's record: not pushed (rerun the instance with --force to make the entry again)` };
  let bytes = 0;
  let blobs = 0;
  for (const blob of manifestBlobs(manifest)) {
    const replace = check.replace?.has(blob.hash) ?? false;
    if (!replace && (await remote.hasBlob(blob.hash))) continue;
    let data = local.readBlobSync(blob.hash);
    if (!data || data.length !== blob.size || sha256(data) !== blob.hash) {
      const what = data ? 'corrupt' : 'missing';
      if (data) local.removeBlob(blob.hash);
      data = fromWorkFolder(check.abs?.(blob.path), blob);
      if (!data) return { problem: `local blob ${blob.hash} for ${blob.path} is ${what}, and the file in the work folder does not have its bytes either (rerun the instance with --force)` };
      try {
        local.writeBlobSync(blob.hash, data);
      } catch (err) {
        return { problem: `the local store ${local.dir} cannot take back blob ${blob.hash} for ${blob.path}: ${(err as Error).message}` };
      }
    }
    await remote.putBlob(blob.hash, data, replace);
    bytes += data.length;
    blobs++;
  }
  const wrote = await remote.putManifestIfAbsent(key, encodeManifest(manifest, signingKey));
  return { bytes, blobs, wrote };
}

/** An output file's bytes from the work folder when they hash to the blob, else null. */
function fromWorkFolder(file: string | undefined, blob: BlobRef): Uint8Array | null {
  if (!file || !existsSync(file)) return null;
  const data = readFileSync(file);
  return data.length === blob.size && sha256(data) === blob.hash ? data : null;
}
