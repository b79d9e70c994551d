import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

export type Served = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * The file a request path names under `root`, or why it is refused: `..` and `.` segments
 * (raw or percent-encoded), hidden names, NUL bytes, and anything whose real path (symlinks
 * followed) leaves `root`.
 */
export function resolveServed(root: string, rawPath: string): Served {
  let rel: string;
  try {
    rel = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (rel.includes('\0')) return { ok: false, status: 400, reason: 'NUL byte in path' };
  const segments = rel.split(/[\\/]/).filter((s) => s !== '');
  if (segments.length === 0) return { ok: false, status: 404, reason: 'no file named' };
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: 'path leaves the artifacts folder' };
  if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 403, reason: 'hidden files are not served' };
  const file = resolve(root, ...segments);
  if (!file.startsWith(resolve(root) + sep)) return { ok: false, status: 403, reason: 'path leaves the artifacts folder' };
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(file);
    realRoot = realpathSync(root);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  if (!real.startsWith(realRoot + sep)) return { ok: false, status: 403, reason: 'a symlink leads out of the artifacts folder' };
  if (!statSync(real).isFile()) return { ok: false, status: 404, reason: 'not a file' };
  return { ok: true, file: real };
}
