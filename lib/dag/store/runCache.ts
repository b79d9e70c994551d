import type winston from 'winston';
import type { HashMemo } from '../hashMemo.js';
import { FileStore } from './fileStore.js';
import { decodeManifest, manifestBlobs, type Manifest } from './manifest.js';
import type { PushCheck } from './transfer.js';
import { openRemote, type RemoteStore } from './remote.js';
import { restoreOutputs } from './restore.js';
import { ingestOutputs, type IngestInput } from './ingest.js';
import { fetchEntry, pushEntry } from './transfer.js';
import type { CacheConfig } from './settings.js';

/** What a run did with the stores (`dag cache status` shows the last run's). */
export interface CacheStats {
  lookups: number;
  localHits: number;
  remoteHits: number;
  rejected: number;
  stored: number;
  uploaded: number;
  bytesRestored: number;
  bytesDownloaded: number;
  bytesUploaded: number;
  /** Main-thread time spent keeping outputs in the local store (not uploading), ms. */
  storeMs: number;
}

/** A remote failure while --require-remote is on: the instance that needed the remote fails. */
export class RemoteRequiredError extends Error {}

/** The instance a lookup is for: its id, declared outputs, and how its paths resolve. */
export interface CacheTarget {
  id: string;
  outputs: string[];
  abs: (p: string) => string;
  memo: HashMemo;
  /** Told the files (absolute path, hash) a restore is about to put in place, before it does. */
  beforePlace?: (files: { abs: string; hash: string }[]) => void;
}

/**
 * The stores as one run uses them: look a stale instance's key up locally, then remotely
 * (read-through), restore it; keep what ran (and upload it when writing is on). Problems with a
 * store are warnings naming the key and the path, and the instance runs; a remote that fails
 * once is left alone for the rest of the run, so a dead remote costs one timeout.
 */
export class RunCache {
  readonly local: FileStore;
  readonly stats: CacheStats = { lookups: 0, localHits: 0, remoteHits: 0, rejected: 0, stored: 0, uploaded: 0, bytesRestored: 0, bytesDownloaded: 0, bytesUploaded: 0, storeMs: 0 };
  /** Why the remote was abandoned in this run, if it was. */
  remoteDown?: string;
  /** Remote blobs this run found corrupt: its uploads replace them. */
  private readonly corruptRemote = new Set<string>();

  private constructor(readonly cfg: CacheConfig, private readonly remote: RemoteStore | undefined, private readonly logger: winston.Logger) {
    this.local = new FileStore(cfg.localDir);
  }

  static async open(cfg: CacheConfig, logger: winston.Logger): Promise<RunCache> {
    return new RunCache(cfg, await openRemote(cfg), logger);
  }

  get remoteUrl(): string | undefined {
    return this.remote?.url;
  }

  /** Restore an instance whose key is in a store; null when it is in none (then it runs). */
  async restore(t: CacheTarget, key: string): Promise<{ outputs: Record<string, string>; manifest: Manifest; from: 'local' | 'remote' } | null> {
    this.stats.lookups++;
    const local = this.readLocal(t.id, key);
    if (local) {
      const r = this.tryRestore(local, t);
      if (!('problem' in r)) {
        this.local.touch(key);
        this.stats.localHits++;
        this.stats.bytesRestored += r.bytes;
        return { outputs: r.outputs, manifest: local, from: 'local' };
      }
      this.reject(t.id, key, 'local store', r.problem);
    }
    const remote = this.remote;
    if (!remote) return null;
    const fetched = await this.remoteCall(`reading ${key}`, () => fetchEntry(remote, this.local, key, this.cfg.signingKey));
    if (!fetched) return null;
    if ('problem' in fetched) {
      // the instance runs instead; its upload, if remote writing is on, puts the right bytes back
      if (fetched.corruptBlob) this.corruptRemote.add(fetched.corruptBlob);
      this.reject(t.id, key, remote.url, fetched.problem);
      return null;
    }
    this.stats.bytesDownloaded += fetched.bytes;
    const r = this.tryRestore(fetched.manifest, t);
    if ('problem' in r) {
      this.reject(t.id, key, remote.url, r.problem);
      return null;
    }
    this.stats.remoteHits++;
    this.stats.bytesRestored += r.bytes;
    return { outputs: r.outputs, manifest: fetched.manifest, from: 'remote' };
  }

  /** Keep a successful instance's outputs; upload them when remote writing is on. */
  async save(t: CacheTarget, entry: IngestInput): Promise<void> {
    const t0 = performance.now();
    try {
      ingestOutputs(this.local, entry, t.abs, t.memo, this.cfg.signingKey);
      this.stats.stored++;
      this.stats.storeMs += performance.now() - t0;
    } catch (err) {
      // the store is a cache: failing to fill it costs a recompute later, not this run
      this.logger.warn(`cache: could not store ${t.id} (key ${entry.key}) in ${this.local.dir}: ${(err as Error).message}`);
      return;
    }
    await this.upload(t.id, entry.key, { outputs: entry.outputs, abs: t.abs });
  }

  /**
   * Upload a local entry when remote writing is on (write-through, and `dag cache push`), if it
   * names the outputs `check` has (pushEntry).
   */
  async upload(id: string, key: string, check: PushCheck, force = false): Promise<{ bytes: number; blobs: number; wrote: boolean } | null> {
    const remote = this.remote;
    if (!remote || !(this.cfg.remoteWrite || force)) return null;
    const pushed = await this.remoteCall(`writing ${key}`, () => pushEntry(this.local, remote, key, this.cfg.signingKey, { ...check, replace: this.corruptRemote }));
    if (!pushed) return null;
    if ('problem' in pushed) {
      this.logger.warn(`cache: did not upload ${id} (key ${key}): ${pushed.problem}`);
      return null;
    }
    this.stats.uploaded++;
    this.stats.bytesUploaded += pushed.bytes;
    return pushed;
  }

  /**
   * The key's manifest when the local store has it and all its blobs with the right sizes: a
   * quick look for `status` and `--dry-run` (the run itself re-hashes every blob).
   */
  localManifest(key: string): Manifest | null {
    const raw = this.local.hasManifestSync(key) ? this.local.readManifestSync(key) : null;
    if (!raw) return null;
    const m = decodeManifest(raw, key, this.cfg.signingKey);
    if (typeof m === 'string') return null;
    return manifestBlobs(m).every((b) => this.local.blobHasSize(b.hash, b.size)) ? m : null;
  }

  close(): void {
    this.local.closePending();
    this.remote?.close();
  }

  /** A restore that fails on the file system (permissions, a full disk) is a reason to run, not to stop. */
  private tryRestore(m: Manifest, t: CacheTarget): ReturnType<typeof restoreOutputs> {
    try {
      return restoreOutputs(this.local, m, t.outputs, t.abs, t.memo, t.beforePlace);
    } catch (err) {
      return { problem: `restoring failed: ${(err as Error).message}` };
    }
  }

  private readLocal(id: string, key: string): Manifest | null {
    const raw = this.local.readManifestSync(key);
    if (!raw) return null;
    const m = decodeManifest(raw, key, this.cfg.signingKey);
    if (typeof m !== 'string') return m;
    // a bad manifest is removed, so a good one (from the remote or the next run) can take its place
    this.local.removeManifest(key);
    this.reject(id, key, 'local store', m);
    return null;
  }

  private reject(id: string, key: string, where: string, problem: string): void {
    this.stats.rejected++;
    this.logger.warn(`cache: ignoring the entry for ${id} (key ${key}) in ${where}: ${problem}; the instance runs instead`);
  }

  private async remoteCall<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    const needed = this.cfg.remoteNeededBy ?? '--require-remote';
    if (this.remoteDown !== undefined) {
      // a required remote that failed once is not waited for again, instance after instance
      if (this.cfg.requireRemote) throw new RemoteRequiredError(`remote store ${this.remote!.url} failed earlier in this run (${this.remoteDown}); not ${what} (${needed})`);
      return undefined;
    }
    try {
      return await fn();
    } catch (err) {
      const msg = (err as Error).message || String(err);
      this.remoteDown = msg;
      if (this.cfg.requireRemote) throw new RemoteRequiredError(`remote store ${this.remote!.url} failed ${what}: ${msg} (${needed})`);
      this.logger.warn(`cache: remote store ${this.remote!.url} failed ${what} (${msg}): going on with the local store only for the rest of this run`);
      return undefined;
    }
  }
}
