import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempOwnerPid } from '../io/atomic.js';
import type { Project } from './project.js';
import type { Instance } from './plan.js';
import type { Ledger } from './ledger.js';
import { ledgerPath } from './ledger.js';
import { listFiles } from './hashMemo.js';

/**
 * Files at an instance's output paths that dag may not replace: present, and neither the bytes
 * its record says it wrote nor bytes the ledger says dag wrote there (a user's own file, or a
 * dag output edited since). A directory output is checked file by file, hidden files included,
 * because its commit swaps the whole folder (dag's own temp files are left to litter.ts).
 * Only called for an instance about to run, so a no-op run pays nothing for it.
 */
export function foreignOutputs(project: Project, inst: Instance, ledger: () => Ledger): string[] {
  const record = project.state.records.get(inst.id);
  const foreign: string[] = [];
  const owned = (abs: string, hash: string) => ledger().owns(ledgerPath(project.workdir, abs), hash);
  for (const out of inst.outputs) {
    const abs = project.abs(out);
    if (!out.endsWith('/')) {
      const hash = project.memo.hash(abs);
      if (hash !== null && hash !== record?.outputs[out] && !owned(abs, hash)) foreign.push(out);
      continue;
    }
    if (!existsSync(abs)) continue;
    // the listing hash covers the visible files: when it is the recorded one, only hidden files remain to check
    const asRecorded = record?.outputs[out] !== undefined && project.memo.hash(abs) === record.outputs[out];
    for (const rel of listFiles(abs, (name) => tempOwnerPid(name) !== null)) {
      const hidden = rel.split('/').some((part) => part.startsWith('.'));
      if (asRecorded && !hidden) continue;
      const file = join(abs, rel);
      const hash = project.memo.stamp(file)?.hash;
      if (hash !== undefined && !owned(file, hash)) foreign.push(out + rel);
    }
  }
  return foreign;
}

/** Why an instance about to run may not (files it would replace that dag did not write), or undefined. */
export function refusal(project: Project, inst: Instance, ledger: () => Ledger): string | undefined {
  const files = foreignOutputs(project, inst, ledger);
  return files.length ? foreignMessage(project, inst, files) : undefined;
}

/** The refusal, naming the files and the ways forward. */
function foreignMessage(project: Project, inst: Instance, files: string[]): string {
  const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '');
  const when = Object.entries(inst.node.when ?? {}).map(([k, v]) => `${k}: ${String(v)}`);
  const why = when.length ? `; ${inst.node.id} runs because of \`${when.join(', ')}\` in ${project.configFile}: if these are your files, change that setting` : '';
  return `refusing to replace ${shown}: dag has no record of writing ${files.length === 1 ? 'this file' : 'these files'} (your own data, an output modified outside dag, or a lost state folder)${why}; move or delete ${files.length === 1 ? 'it' : 'them'} yourself, or rerun with --overwrite to let dag replace ${files.length === 1 ? 'it' : 'them'}`;
}
