import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';

export interface FileStamp {
  hash: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Content hashes memoised by (path, size, mtime, inode), as git's index and DVC's state do:
 * a no-op run stats files instead of re-reading them. A file rewritten in place within the
 * same mtime tick with the same size would be missed; atomic renames give a new inode, so
 * files the runner writes never hit that case.
 */
export class HashMemo {
  private entries = new Map<string, FileStamp>();
  private dirty = false;

  constructor(private readonly file: string) {
    if (existsSync(file)) {
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, FileStamp>;
        for (const [k, v] of Object.entries(raw)) this.entries.set(k, v);
      } catch {
        // a corrupt memo only costs re-hashing
        this.dirty = true;
      }
    }
  }

  /** Hash of the file at `path`, or null if it does not exist. */
  stamp(path: string): FileStamp | null {
    let st;
    try {
      st = statSync(path);
    } catch {
      return null;
    }
    const known = this.entries.get(path);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino) return known;
    const fresh = { hash: sha256(readFileSync(path)), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    this.entries.set(path, fresh);
    this.dirty = true;
    return fresh;
  }

  hash(path: string): string | null {
    return this.stamp(path)?.hash ?? null;
  }

  save(): void {
    if (!this.dirty) return;
    const obj: Record<string, FileStamp> = {};
    for (const k of [...this.entries.keys()].sort()) obj[k] = this.entries.get(k)!;
    writeFileAtomic(this.file, JSON.stringify(obj));
    this.dirty = false;
  }
}
