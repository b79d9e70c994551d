import { fileURLToPath } from 'node:url';
import { FileStore } from './fileStore.js';
import type { Store } from './store.js';
import type { CacheConfig } from './settings.js';

export interface RemoteStore extends Store {
  close(): void;
}

/**
 * The remote named by `cache.remote`, every operation bounded by `cache.timeout`: a remote that
 * hangs costs one timeout, not a stuck run. The S3 client loads only when an s3:// remote is used.
 */
export async function openRemote(cfg: CacheConfig): Promise<RemoteStore | undefined> {
  if (!cfg.remote) return undefined;
  let store: Store & { close?: () => void };
  if (cfg.remote.startsWith('file://')) store = new FileStore(fileURLToPath(cfg.remote), true);
  else {
    const { S3Store } = await import('./s3Store.js');
    store = new S3Store(cfg.remote, { endpoint: cfg.endpoint, region: cfg.region, timeoutMs: cfg.timeoutMs });
  }
  return withTimeout(store, cfg.timeoutMs);
}

function withTimeout(store: Store & { close?: () => void }, ms: number): RemoteStore {
  const bound = <T>(what: string, p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${store.url}: ${what} timed out after ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  };
  return {
    url: store.url,
    getManifest: (key) => bound(`reading manifest ${key}`, store.getManifest(key)),
    putManifestIfAbsent: (key, bytes) => bound(`writing manifest ${key}`, store.putManifestIfAbsent(key, bytes)),
    hasBlob: (hash) => bound(`checking blob ${hash}`, store.hasBlob(hash)),
    getBlob: (hash) => bound(`reading blob ${hash}`, store.getBlob(hash)),
    putBlob: (hash, bytes, replace) => bound(`writing blob ${hash}`, store.putBlob(hash, bytes, replace)),
    close: () => store.close?.(),
  };
}
