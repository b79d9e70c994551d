import { type Stats, appendFileSync, chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempOwnerPid, tempPathFor, writeFileDurable } from '../../io/atomic.js';
import { shardedName, type Store } from './store.js';

const READ_ONLY = 0o444;
const PENDING = 'pending';

/**
 * A store in a folder: `blobs/ab/<sha256>` and `ac/ab/<key>.json`. It is the local store and,
 * over a shared (NFS) folder, the file:// remote. Every write goes to a temp file beside its
 * target and is renamed into place; a manifest is published with link(2), which fails when the
 * name exists, so two writers of one key cannot both win and a reader never sees half a file.
 * Blobs are read-only: an artifact restored by hard link shares the blob's inode.
 */
export class FileStore implements Store {
  readonly url: string;

  constructor(readonly dir: string, private readonly mustExist = false) {
    this.url = `file://${dir}`;
  }

  blobPath(hash: string): string {
    return join(this.dir, 'blobs', shardedName(hash));
  }

  manifestPath(key: string): string {
    return join(this.dir, 'ac', shardedName(key, '.json'));
  }

  /** A shared folder that is not there is a remote that is down, not an empty store. */
  private checkRoot(): void {
    if (this.mustExist && !existsSync(this.dir)) throw new Error(`store folder ${this.dir} does not exist`);
  }

  hasManifestSync(key: string): boolean {
    return existsSync(this.manifestPath(key));
  }

  readManifestSync(key: string): Uint8Array | null {
    this.checkRoot();
    // most lookups of a first run miss: a stat is cheaper than a thrown ENOENT
    const path = this.manifestPath(key);
    return existsSync(path) ? readIfExists(path) : null;
  }

  writeManifestIfAbsentSync(key: string, bytes: Uint8Array): boolean {
    this.checkRoot();
    const path = this.manifestPath(key);
    const tmp = writeTemp(path, bytes);
    try {
      linkSync(tmp, path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Mark an entry as used now (gc removes the least recently used first). */
  touch(key: string): void {
    const now = new Date();
    try {
      utimesSync(this.manifestPath(key), now, now);
    } catch {
      // removed meanwhile by a gc: the entry is simply gone
    }
  }

  hasBlobSync(hash: string): boolean {
    return existsSync(this.blobPath(hash));
  }

  /** A blob is there with the expected size (a cheap check; only a re-hash proves its content). */
  blobHasSize(hash: string, size: number): boolean {
    try {
      return statSync(this.blobPath(hash)).size === size;
    } catch {
      return false;
    }
  }

  readBlobSync(hash: string): Uint8Array | null {
    this.checkRoot();
    return readIfExists(this.blobPath(hash));
  }

  writeBlobSync(hash: string, bytes: Uint8Array): void {
    this.checkRoot();
    const path = this.blobPath(hash);
    const tmp = writeTemp(path, bytes);
    chmodSync(tmp, READ_ONLY);
    renameSync(tmp, path);
  }

  /**
   * Take a just-written artifact into the store by hard link (no copy; the artifact and the
   * blob become one read-only inode), or by copy across file systems. The caller knows its hash.
   */
  adoptFile(hash: string, src: string, retry = true): void {
    const path = this.blobPath(hash);
    // link(2) publishes a complete file under its final name at once (the artifact is already
    // whole), so no temp name is needed; EEXIST means another writer adopted the same content
    try {
      linkSync(src, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        // in use again: a collection that listed the store before now must not take it (gc.ts),
        // nor one that listed it since but before this process publishes the manifest naming it
        this.notePending(hash);
        touchQuietly(path);
        return;
      }
      if (code === 'ENOENT' && retry) {
        // the shard folder is new (or the source is gone, and the retry says so)
        mkdirSync(dirname(path), { recursive: true });
        return this.adoptFile(hash, src, false);
      }
      // another file system (EXDEV) or no hard links here: a copy, renamed into place
      const tmp = tempPathFor(path);
      copyFileSync(src, tmp);
      chmodSync(tmp, READ_ONLY);
      renameSync(tmp, path);
      return;
    }
    chmodSync(path, READ_ONLY);
  }

  /**
   * Remove a blob, unless it changed at or after `unlessChangedSince` (ms): adopted again by a
   * writer since a collection listed the store. False when it was kept.
   */
  removeBlob(hash: string, unlessChangedSince = Infinity): boolean {
    const path = this.blobPath(hash);
    try {
      if (statSync(path).ctimeMs >= unlessChangedSince) return false;
    } catch {
      return true; // gone already
    }
    rmSync(path, { force: true });
    return true;
  }

  /**
   * Blobs this process adopted again (an older entry named them too), one hash a line in
   * `pending/<pid>-<time>.txt`, until it closes: its manifests come after its blobs, and a
   * collection in another process (a checkout sharing the store) may list the store in between
   * and plan to remove the older entry with its blobs.
   */
  private pendingFile?: string;
  private notePending(hash: string): void {
    try {
      if (!this.pendingFile) {
        this.pendingFile = join(this.dir, PENDING, `${process.pid}-${Date.now()}.txt`);
        mkdirSync(dirname(this.pendingFile), { recursive: true });
      }
      appendFileSync(this.pendingFile, hash + '\n');
    } catch {
      // a store this process cannot write: it adopts nothing into it either
    }
  }

  /** Done adopting: the manifests naming this process's blobs are published (or never will be). */
  closePending(): void {
    if (this.pendingFile) rmSync(this.pendingFile, { force: true });
    this.pendingFile = undefined;
  }

  /**
   * Blobs writers noted as adopted again within `graceMs` before `now` (their manifests may not
   * be published yet); older notes (a writer killed before it closed) are removed.
   */
  pendingBlobs(now: number, graceMs: number): Set<string> {
    const out = new Set<string>();
    const root = join(this.dir, PENDING);
    if (!existsSync(root)) return out;
    for (const name of readdirSync(root)) {
      const file = join(root, name);
      try {
        if (now - statSync(file).mtimeMs > graceMs) rmSync(file, { force: true });
        else for (const h of readFileSync(file, 'utf8').split('\n')) if (h) out.add(h);
      } catch {
        // closed meanwhile
      }
    }
    return out;
  }

  /**
   * Temp files (`.<name>.tmp-<pid>-<hex>`) older than `graceMs`: what a process killed while it
   * wrote a blob or a manifest left behind. A live writer renames its temp file within moments.
   */
  removeStaleTemps(now: number, graceMs: number): number {
    const stale = [join(this.dir, 'blobs'), join(this.dir, 'ac')]
      .flatMap((root) => walk(root, (name) => tempOwnerPid(name) !== null))
      .filter((f) => now - f.st.mtimeMs > graceMs);
    for (const f of stale) rmSync(f.path, { force: true });
    return stale.length;
  }

  /** Put a manifest in place of the one there (temp file renamed over it: readers see one or the other). */
  replaceManifestSync(key: string, bytes: Uint8Array): void {
    this.checkRoot();
    const path = this.manifestPath(key);
    renameSync(writeTemp(path, bytes), path);
  }

  /** A blob an entry about to be published names, already here: kept from collections in the meantime. */
  keepBlob(hash: string): void {
    this.notePending(hash);
    touchQuietly(this.blobPath(hash));
  }

  removeManifest(key: string): void {
    rmSync(this.manifestPath(key), { force: true });
  }

  /** Every manifest key with its last-use time, and every blob with its size and change time. */
  list(): { manifests: { key: string; usedMs: number }[]; blobs: { hash: string; size: number; ctimeMs: number }[] } {
    const manifests = walk(join(this.dir, 'ac')).filter((f) => f.name.endsWith('.json')).map((f) => ({ key: f.name.slice(0, -5), usedMs: f.st.mtimeMs }));
    const blobs = walk(join(this.dir, 'blobs')).map((f) => ({ hash: f.name, size: f.st.size, ctimeMs: f.st.ctimeMs }));
    return { manifests, blobs };
  }

  async getManifest(key: string): Promise<Uint8Array | null> {
    return this.readManifestSync(key);
  }

  async putManifestIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    return this.writeManifestIfAbsentSync(key, bytes);
  }

  async hasBlob(hash: string): Promise<boolean> {
    this.checkRoot();
    return this.hasBlobSync(hash);
  }

  async getBlob(hash: string): Promise<Uint8Array | null> {
    return this.readBlobSync(hash);
  }

  async putBlob(hash: string, bytes: Uint8Array, replace = false): Promise<void> {
    if (replace || !this.hasBlobSync(hash)) this.writeBlobSync(hash, bytes);
  }
}

function readIfExists(path: string): Uint8Array | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Not fsync'ed: every read re-hashes, so a blob a crash left short is caught and refetched.
 * The shard folder is created only when the first write into it fails (one syscall saved per
 * write, which a run of thousands of small instances notices).
 */
function writeTemp(path: string, bytes: Uint8Array): string {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, bytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    writeFileDurable(tmp, bytes, false);
  }
  return tmp;
}

/** Files two levels down (shard folder, then file) whose names pass `keep` (default: not hidden temp files). */
function walk(root: string, keep = (name: string) => !name.startsWith('.')): { name: string; path: string; st: Stats }[] {
  if (!existsSync(root)) return [];
  const out: { name: string; path: string; st: Stats }[] = [];
  for (const shard of readdirSync(root)) {
    for (const name of readdirSync(join(root, shard))) {
      if (!keep(name)) continue;
      const path = join(root, shard, name);
      try {
        out.push({ name, path, st: statSync(path) });
      } catch {
        // removed meanwhile
      }
    }
  }
  return out;
}

/**
 * Mark a file as changed now: its ctime, through a chmod to the mode it has. Not utimes, which
 * would also move the mtime of every work-folder artifact sharing the blob's inode (the hash
 * memo would re-read them). A store another user owns may refuse, which only loses the mark.
 */
function touchQuietly(path: string): void {
  try {
    chmodSync(path, READ_ONLY);
  } catch {
    // not ours to mark
  }
}
