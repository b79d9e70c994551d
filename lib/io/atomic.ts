import { closeSync, fsyncSync, ftruncateSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A write that did not put every byte on disk (disk full, I/O error, short write). It carries
 * the exit code the CLI uses for it (1), and the message names the path.
 */
export class WriteError extends Error {
  readonly exitCode = 1;
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'WriteError';
  }
}

/** `writeSync`'s shape: tests swap in one that writes short or fails like a full disk. */
export type WriteFunction = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

let writeImpl: WriteFunction = (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length);

/** Replace the write call under every write of this module (tests only); returns the previous one. */
export function setWriteFunction(fn: WriteFunction): WriteFunction {
  const previous = writeImpl;
  writeImpl = fn;
  return previous;
}

/**
 * The message for a failed write of `path`: ENOSPC (and a write that makes no progress, which is
 * what a full disk looks like to a short write) say "no space left on device".
 */
export function writeFailure(err: unknown, path: string): WriteError {
  if (err instanceof WriteError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new WriteError(`no space left on device while writing ${path}`, path);
  const detail = code ? `${code}: ${(err as Error).message}` : String((err as Error)?.message ?? err);
  return new WriteError(`could not write ${path} (${detail})`, path);
}

/**
 * Write every byte of `data` to `fd`: writeSync may write fewer bytes than asked (a full disk
 * writes a prefix and returns its length), so loop until done; a call that writes nothing is a
 * full disk.
 */
export function writeAllSync(fd: number, data: Uint8Array | string, path: string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  try {
    while (off < buf.length) {
      const n = writeImpl(fd, buf, off, buf.length - off);
      if (!(n > 0)) throw new WriteError(`no space left on device while writing ${path} (${off} of ${buf.length} bytes written)`, path);
      off += n;
    }
  } catch (err) {
    throw writeFailure(err, path);
  }
}

/**
 * Write to a temporary file beside the target, fsync, then rename: a reader (or a crash) never
 * sees a half-written file at the final path, because rename within a directory is atomic.
 * The name carries the writer's pid so the next run can tell a dead run's leftovers (lib/dag/litter.ts).
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** `.<name>.tmp-<pid>-<hex>`: the pid of the process that made a temp name of tempPathFor, or null. */
export function tempOwnerPid(name: string): number | null {
  const m = /^\..*\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Open (creating its folder); a failure, e.g. no room for a new inode, is a WriteError too. */
function openForWrite(path: string, flags: 'w' | 'a', shownAs: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, flags);
  } catch (err) {
    throw writeFailure(err, shownAs);
  }
}

/**
 * Write a whole file; on any failure the partial file is removed and a WriteError thrown whose
 * message names `shownAs` (the final path, when `path` is a temp file).
 */
export function writeFileDurable(path: string, data: Uint8Array | string, fsync = true, shownAs = path): void {
  const fd = openForWrite(path, 'w', shownAs);
  try {
    writeAllSync(fd, data, shownAs);
    if (fsync) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw writeFailure(err, shownAs);
  }
  closeSync(fd);
}

export function writeFileAtomic(path: string, data: Uint8Array | string, fsync = true): void {
  const tmp = tempPathFor(path);
  try {
    writeFileDurable(tmp, data, fsync, path);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeFailure(err, path);
  }
}

/**
 * Append to a file, all or nothing: a failed append is cut back to the file's previous length,
 * so a journal never keeps a partial line that the next append would run into.
 */
export function appendFileAll(path: string, data: string): void {
  const fd = openForWrite(path, 'a', path);
  try {
    const before = fstatSync(fd).size;
    try {
      writeAllSync(fd, data, path);
    } catch (err) {
      try {
        ftruncateSync(fd, before);
      } catch {
        // the append already failed; the reader skips a cut line
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
}
