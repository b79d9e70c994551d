import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.js';

/** The DAG file a command uses: `--dag FILE`, else pipeline.dag.yaml here or in a parent folder. */
export function findDagFile(explicit?: string): string {
  if (explicit) return resolve(explicit);
  let dir = process.cwd();
  for (;;) {
    const candidate = join(dir, 'pipeline.dag.yaml');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new UserError('no pipeline.dag.yaml in this folder or its parents (use --dag FILE)');
    dir = up;
  }
}
