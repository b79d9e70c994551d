import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tempPathFor } from '../io/atomic.js';

/**
 * Remove what this process staged (wrote but never renamed into place) for the given outputs:
 * a task aborted by a signal ran in a worker thread that was terminated, so its own clean-up
 * (TaskContext.abort) never ran. Staged names come from tempPathFor, whose random part follows
 * its last '-'; the prefix before it holds the output's name and this process's pid, so other
 * runs' files and the outputs themselves are never touched.
 */
export function removeStagedOutputs(absOutputs: string[]): void {
  for (const out of absOutputs) {
    const final = out.endsWith('/') ? out.slice(0, -1) : out;
    const sample = basename(tempPathFor(final));
    const prefix = sample.slice(0, sample.lastIndexOf('-') + 1);
    let names: string[];
    try {
      names = readdirSync(dirname(final));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // nothing can be staged there
      throw err;
    }
    for (const name of names) if (name.startsWith(prefix)) rmSync(join(dirname(final), name), { recursive: true, force: true });
  }
}
