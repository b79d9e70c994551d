import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Project } from './project.js';
import { openProject } from './project.js';
import { sandboxPrefix } from './litter.js';
import { nestedWorkdir } from './nestedWorkdir.js';

export interface Sandbox {
  project: Project;
  workdir: string;
  cleanup: () => void;
}

/**
 * A fresh work folder holding copies of the files the selected instances read but no selected
 * instance writes (raw data, config tables), at the same relative paths, so a rebuild there
 * never touches the user's artifacts. Relative paths that climb out of the work folder
 * (`../shared/...`) land inside the sandbox too: the work folder is nested deep enough.
 */
export async function makeSandbox(project: Project, ids: string[], opts: { configFile?: string; transform?: (path: string, from: string, to: string) => void } = {}): Promise<Sandbox> {
  const selected = new Set(ids);
  const sources = new Set<string>();
  for (const id of ids) {
    for (const ref of project.plan.instances.get(id)!.inputs) {
      if (!ref.producer || !selected.has(ref.producer)) sources.add(ref.path);
    }
  }
  // the pid in the name lets a later run remove it if this process is killed (litter.ts)
  const base = mkdtempSync(join(tmpdir(), sandboxPrefix()));
  // removed however the process ends (a second Ctrl-C exits at once), not only by the caller
  const remove = () => rmSync(base, { recursive: true, force: true });
  process.once('exit', remove);
  let sandboxed: Project;
  let workdir: string;
  try {
    workdir = nestedWorkdir(base, sources);
    for (const p of [...sources].sort()) {
      if (isAbsolute(p)) continue;
      const from = project.abs(p);
      const to = resolve(workdir, p);
      mkdirSync(dirname(to), { recursive: true });
      if (opts.transform) opts.transform(p, from, to);
      else cpSync(from, to, { recursive: true });
    }
    sandboxed = await openProject({ dagFile: project.dag.file, configFile: opts.configFile ?? project.configFile, workdir });
  } catch (err) {
    process.off('exit', remove);
    remove();
    throw err;
  }
  return {
    project: sandboxed,
    workdir,
    cleanup: () => {
      process.off('exit', remove);
      remove();
    },
  };
}
