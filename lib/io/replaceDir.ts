import { existsSync, renameSync, rmSync } from 'node:fs';
import { tempPathFor } from './atomic.js';

/**
 * Put a fully written staging folder in place of `dir`: two renames, so a reader sees the old
 * directory or the new one, never a mix.
 */
export function replaceDir(dir: string, staged: string): void {
  const old = existsSync(dir) ? tempPathFor(dir) : null;
  if (old) renameSync(dir, old);
  renameSync(staged, dir);
  if (old) rmSync(old, { recursive: true, force: true });
}
