import type { FileStore } from './fileStore.js';
import { decodeManifest, manifestBlobs } from './manifest.js';

export interface GcOptions {
  /** Remove entries not used for longer than this. */
  maxAgeMs?: number;
  /** Then remove the least recently used entries until the blobs fit in this many bytes. */
  maxBytes?: number;
  now: number;
  /**
   * Blobs no manifest names are removed only when older than this: a run writes its blobs
   * before its manifest, and a gc must not take them in between.
   */
  orphanGraceMs: number;
}

export interface GcPlan {
  removeKeys: string[];
  removeBlobs: string[];
  bytesBefore: number;
  bytesAfter: number;
  entriesBefore: number;
}

export interface StoreListing {
  manifests: { key: string; usedMs: number; blobs: string[] | null }[];
  blobs: { hash: string; size: number; ctimeMs: number }[];
}

/** Read a store's entries with the blobs each names (null: an unreadable manifest). */
export function listStore(store: FileStore, keepAlive: () => void = () => undefined): StoreListing {
  const { manifests, blobs } = store.list();
  keepAlive();
  return {
    blobs,
    manifests: manifests.map((m) => {
      keepAlive();
      const raw = store.readManifestSync(m.key);
      const decoded = raw ? decodeManifest(raw, m.key) : 'gone';
      return { ...m, blobs: typeof decoded === 'string' ? null : [...new Set(manifestBlobs(decoded).map((b) => b.hash))] };
    }),
  };
}

/**
 * What to delete: entries unused for longer than the age limit, then the least recently used
 * until the size budget holds, never an entry or a blob the checkout's records point at. A blob
 * goes when no remaining entry names it. Plain data in, plain data out: `dag cache gc --dry-run`
 * and the tests read the plan.
 */
export function planGc(listing: StoreListing, protectedKeys: Set<string>, protectedBlobs: Set<string>, opts: GcOptions): GcPlan {
  const size = new Map(listing.blobs.map((b) => [b.hash, b.size]));
  const refs = new Map<string, number>();
  for (const m of listing.manifests) for (const h of m.blobs ?? []) refs.set(h, (refs.get(h) ?? 0) + 1);
  let bytes = listing.blobs.reduce((s, b) => s + b.size, 0);
  const bytesBefore = bytes;
  const removeBlobs: string[] = [];
  const dropBlob = (h: string) => {
    if (protectedBlobs.has(h) || !size.has(h)) return;
    removeBlobs.push(h);
    bytes -= size.get(h)!;
    size.delete(h);
  };
  for (const b of listing.blobs) if (!refs.has(b.hash) && opts.now - b.ctimeMs > opts.orphanGraceMs) dropBlob(b.hash);
  const removeKeys: string[] = [];
  const dropEntry = (m: StoreListing['manifests'][number]) => {
    removeKeys.push(m.key);
    for (const h of m.blobs ?? []) {
      const left = refs.get(h)! - 1;
      refs.set(h, left);
      if (left === 0) dropBlob(h);
    }
  };
  const candidates = listing.manifests.filter((m) => !protectedKeys.has(m.key)).sort((a, b) => a.usedMs - b.usedMs || a.key.localeCompare(b.key));
  for (const m of candidates) {
    const old = opts.maxAgeMs !== undefined && opts.now - m.usedMs > opts.maxAgeMs;
    const over = opts.maxBytes !== undefined && bytes > opts.maxBytes;
    if (old || over || m.blobs === null) dropEntry(m);
  }
  return { removeKeys, removeBlobs, bytesBefore, bytesAfter: bytes, entriesBefore: listing.manifests.length };
}

/**
 * Delete what a plan says: manifests first, so no entry is ever left naming a deleted blob. A
 * blob stays if a writer adopted it again: since the store was listed (`listedAt`, ms: its ctime
 * says so), or within `graceMs` before the deletion as its pending note says (FileStore: another
 * process, a sweep or a checkout sharing the store, may publish a manifest naming it after the
 * listing).
 */
export function applyGc(store: FileStore, plan: GcPlan, listedAt: number, keepAlive: () => void = () => undefined, graceMs = 3_600_000): void {
  for (const k of plan.removeKeys) {
    keepAlive();
    store.removeManifest(k);
  }
  const now = Date.now();
  const pending = store.pendingBlobs(now, graceMs);
  store.removeStaleTemps(now, graceMs);
  for (const h of plan.removeBlobs) {
    keepAlive();
    if (!pending.has(h)) store.removeBlob(h, listedAt);
  }
}
