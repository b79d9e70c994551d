import { isAbsolute, relative } from 'node:path';

/** What Node's errno codes mean, in the words a user searches for. */
const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EMFILE: 'too many open files in this process (raise `ulimit -n`)',
  ENFILE: 'too many open files on this system',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  EBUSY: 'resource busy',
  EIO: 'input/output error (a failing disk or network mount)',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EXDEV: 'cannot move across file systems',
};

/** The operation a syscall performs, as the first words of "cannot <op> <path>". */
const OPERATION: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  close: 'close',
  fsync: 'sync',
  mkdir: 'create the folder',
  mkdtemp: 'create a temporary folder in',
  rmdir: 'remove',
  rm: 'remove',
  unlink: 'remove',
  scandir: 'list the folder',
  opendir: 'list the folder',
  stat: 'read the attributes of',
  lstat: 'read the attributes of',
  fstat: 'read the attributes of',
  copyfile: 'copy',
  cp: 'copy',
  link: 'link',
  symlink: 'link',
  access: 'access',
  chmod: 'change the mode of',
  utime: 'set the time of',
};

export type ErrnoError = NodeJS.ErrnoException & { code: string; syscall: string; dest?: string };

/** A Node file-system error (it carries an errno code and the failing syscall). */
export function isFsError(err: unknown): err is ErrnoError {
  const e = err as Partial<ErrnoError> | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** A path as the user knows it: relative to `base` when inside it. */
function shown(path: string, base: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(base, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * One line for a file-system error, naming the operation and the path: `cannot write
 * artifacts/x.parquet: no space left on device (ENOSPC)`. Our renames move a staged file into
 * place, so a failed rename names its destination: `cannot replace out/total.txt: is a directory`.
 */
export function fsErrorMessage(err: ErrnoError, base = process.cwd()): string {
  const text = ERRNO_TEXT[err.code] ?? err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*$/, '');
  if (err.syscall === 'rename' && err.dest) return `cannot replace ${shown(err.dest, base)}: ${text} (${err.code})`;
  const op = OPERATION[err.syscall] ?? err.syscall;
  const where = err.path ? ` ${shown(err.path, base)}` : '';
  return `cannot ${op}${where}: ${text} (${err.code})`;
}

/**
 * Whatever a task or the runner threw, as one line: file-system errors by `fsErrorMessage`,
 * others by their message with line breaks folded (a thrown non-Error by its string form).
 * The stack is never part of it: it goes to the run log, or to the console with --verbose.
 */
export function oneLine(err: unknown, base = process.cwd()): string {
  if (isFsError(err)) return fsErrorMessage(err, base);
  const e = err as { message?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message ? e.message : `${String(err)}`;
  return message.replace(/\s*\n\s*/g, '; ');
}

/**
 * Run a read and name `path` in its error: a read(2) failure (EISDIR when the path is a
 * directory, EIO) reaches Node without the path, which the message then could not name.
 */
export function namingPath<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (isFsError(err) && !err.path) err.path = path;
    throw err;
  }
}

export function stackOf(err: unknown): string | undefined {
  return typeof (err as Error | null)?.stack === 'string' ? (err as Error).stack : undefined;
}
