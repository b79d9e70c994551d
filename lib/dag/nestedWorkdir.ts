import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A work folder under `base`, nested deep enough that relative paths climbing out of it
 * (`../shared/...`) still land under `base`; created.
 */
export function nestedWorkdir(base: string, paths: Iterable<string>): string {
  const depth = Math.max(0, ...[...paths].map((p) => (p.match(/^(\.\.\/)+/)?.[0].length ?? 0) / 3));
  const workdir = join(base, ...Array.from({ length: depth }, (_, i) => `up${i}`), 'work');
  mkdirSync(workdir, { recursive: true });
  return workdir;
}
