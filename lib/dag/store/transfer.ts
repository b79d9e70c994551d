import { sha256 } from '../hashMemo.js';
import type { FileStore } from './fileStore.js';
import { decodeManifest, encodeManifest, manifestBlobs, type BlobRef, type Manifest } from './manifest.js';
import type { Store } from './store.js';

export type FetchResult = { manifest: Manifest; bytes: number } | { problem: string } | null;

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
  if (!local.writeManifestIfAbsentSync(key, raw)) {
    // a local manifest that failed its checks was removed; one that is there now is a valid one
    local.touch(key);
  }
  return { manifest, bytes: fetched.bytes };
}

/** Download the blobs the local store lacks, each re-hashed before it is kept. */
export async function fetchBlobs(remote: Store, local: FileStore, blobs: BlobRef[]): Promise<{ bytes: number } | { problem: string }> {
  let bytes = 0;
  for (const blob of blobs) {
    if (local.hasBlobSync(blob.hash)) continue;
    const data = await remote.getBlob(blob.hash);
    if (!data) return { problem: `blob ${blob.hash} for ${blob.path} is missing from ${remote.url}` };
    if (data.length !== blob.size || sha256(data) !== blob.hash) {
      return { problem: `blob ${blob.hash} for ${blob.path} from ${remote.url} does not match its hash (corrupted, truncated or replaced)` };
    }
    local.writeBlobSync(blob.hash, data);
    bytes += data.length;
  }
  return { bytes };
}

export type PushResult = { bytes: number; blobs: number; wrote: boolean } | { problem: string };

/**
 * Copy one entry from the local store to a remote: blobs first (each re-hashed before upload,
 * so a corrupt local blob never spreads), the manifest last and only if absent, signed with the
 * pusher's key when one is set.
 */
export async function pushEntry(local: FileStore, remote: Store, key: string, signingKey?: string): Promise<PushResult> {
  const raw = local.readManifestSync(key);
  if (!raw) return { problem: `no local entry for key ${key}` };
  const manifest = decodeManifest(raw, key);
  if (typeof manifest === 'string') return { problem: manifest };
  let bytes = 0;
  let blobs = 0;
  for (const blob of manifestBlobs(manifest)) {
    if (await remote.hasBlob(blob.hash)) continue;
    const data = local.readBlobSync(blob.hash);
    if (!data || data.length !== blob.size || sha256(data) !== blob.hash) {
      if (data) local.removeBlob(blob.hash);
      return { problem: `local blob ${blob.hash} for ${blob.path} is ${data ? 'corrupt' : 'missing'}` };
    }
    await remote.putBlob(blob.hash, data);
    bytes += data.length;
    blobs++;
  }
  const wrote = await remote.putManifestIfAbsent(key, encodeManifest(manifest, signingKey));
  return { bytes, blobs, wrote };
}
