import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { namingPath } from './errorText.js';
import { z } from 'zod';
import { sealMatches, writeSealed } from './seal.js';
import { fileStampSchema, firstIssue } from './stateSchema.js';

const memoFileSchema = z.record(z.string(), z.unknown());
const memoEntriesSchema = z.record(z.string(), fileStampSchema);

export interface FileStamp {
  hash: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Line count of text tables (.csv), so status can say "2 new rows" instead of just "changed". */
  lines?: number;
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
  /** Stamps already checked by this process: each file is stat-ed once per run, not once per reader. */
  private checked = new Map<string, FileStamp | null>();
  private dirty = false;

  /** Damage found while loading (one line, naming the file): the caller shows it. */
  readonly warnings: string[] = [];
  /** Ignore the memoised stamps and re-read every file (`dag status --rehash`: bit rot). */
  private distrust = false;

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    let raw: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      raw = JSON.parse(text);
      if (sealMatches(file, text)) {
        // byte for byte what dag wrote (seal.ts): no need to validate again
        for (const [k, v] of Object.entries(raw as Record<string, FileStamp>)) this.entries.set(k, v);
        return;
      }
      this.dirty = true; // valid or not, the next save seals it
    } catch (err) {
      raw = err as Error;
    }
    // a damaged memo only costs re-hashing: drop what does not validate, say so once
    const outer = memoFileSchema.safeParse(raw);
    if (!outer.success) {
      this.warnings.push(`${file} is damaged (${raw instanceof Error ? raw.message : firstIssue(outer.error)}): content hashes will be recomputed`);
      this.dirty = true;
      return;
    }
    // one parse of the whole memo is fast; entry by entry only to salvage a damaged one
    const whole = memoEntriesSchema.safeParse(outer.data);
    if (whole.success) {
      for (const [k, v] of Object.entries(whole.data)) this.entries.set(k, v);
      return;
    }
    let bad = 0;
    for (const [k, v] of Object.entries(outer.data)) {
      if (fileStampSchema.safeParse(v).success) this.entries.set(k, v as FileStamp);
      else bad++;
    }
    if (bad) {
      this.warnings.push(`${file}: ${bad} damaged entr${bad === 1 ? 'y' : 'ies'} dropped: those files will be re-hashed`);
      this.dirty = true;
    }
  }

  /** From now on re-read every file instead of trusting (size, mtime, inode). */
  rehashAll(): void {
    this.distrust = true;
    this.checked.clear();
  }

  /** Hash of the file at `path`, or null if it does not exist. */
  stamp(path: string): FileStamp | null {
    if (this.checked.has(path)) return this.checked.get(path)!;
    const result = this.stampFromDisk(path);
    this.checked.set(path, result);
    return result;
  }

  /** Forget what this process saw of a path (or of a directory path and everything under it). */
  invalidate(path: string): void {
    if (!path.endsWith('/')) this.checked.delete(path);
    else for (const k of [...this.checked.keys()]) if (k.startsWith(path)) this.checked.delete(k);
  }

  /** Stat every file again from now on (for a long-lived reader such as `dag ui`; the known hashes stay). */
  recheck(): void {
    this.checked.clear();
  }

  private stampFromDisk(path: string): FileStamp | null {
    let st;
    try {
      st = statSync(path);
    } catch {
      return null;
    }
    const known = this.entries.get(path);
    if (known && !this.distrust && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino) return known;
    const bytes = namingPath(path, () => readFileSync(path));
    const fresh: FileStamp = { hash: sha256(bytes), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    if (path.endsWith('.csv')) fresh.lines = countLines(bytes);
    this.entries.set(path, fresh);
    this.dirty = true;
    return fresh;
  }

  /** Content hash of a file, or of a directory output (its sorted file list with their hashes). */
  hash(path: string): string | null {
    if (!path.endsWith('/')) return this.stamp(path)?.hash ?? null;
    // listed once per run, like a file's stat; the runner invalidates it when its task rewrites it
    if (!this.checked.has(path)) {
      const files = existsSync(path) ? listFiles(path).map((rel): [string, string] => [rel, this.stamp(join(path, rel))!.hash]) : null;
      this.checked.set(path, files && { hash: directoryHash(files), size: 0, mtimeMs: 0, ino: 0 });
    }
    return this.checked.get(path)?.hash ?? null;
  }

  /**
   * Note the hash of a file the caller has just written from bytes it hashed (a restore from the
   * cache, a task's output), so it is not read again; false (and nothing noted) when the file on
   * disk is not `size` bytes long. CSV files are left to be read: their line count is kept too.
   */
  remember(path: string, hash: string, size?: number): boolean {
    this.checked.delete(path);
    if (path.endsWith('.csv')) return false;
    const st = statSync(path);
    if (size !== undefined && st.size !== size) return false;
    const stamp: FileStamp = { hash, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    this.entries.set(path, stamp);
    this.checked.set(path, stamp);
    this.dirty = true;
    return true;
  }

  save(): void {
    if (!this.dirty) return;
    const obj: Record<string, FileStamp> = {};
    for (const k of [...this.entries.keys()].sort()) obj[k] = this.entries.get(k)!;
    // a pure cache (a corrupt or lost memo only costs re-hashing): no fsync
    writeSealed(this.file, JSON.stringify(obj), false);
    this.dirty = false;
  }
}

/** A directory output's hash: its files (relative path, content hash), in listFiles order. */
export function directoryHash(files: [string, string][]): string {
  return sha256(files.map(([rel, hash]) => `${rel}\t${hash}`).join('\n'));
}

/**
 * Files under a directory, relative, sorted; entries whose name `skip` accepts are left out (by
 * default hidden ones, which include the temp files of in-flight writes).
 */
export function listFiles(dir: string, skip: (name: string) => boolean = (name) => name.startsWith('.')): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (skip(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) n++;
  return n;
}
