import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Project } from './project.js';
import { openProject } from './project.js';
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
  const base = mkdtempSync(join(tmpdir(), 'dag-sandbox-'));
  const workdir = nestedWorkdir(base, sources);
  for (const p of [...sources].sort()) {
    if (isAbsolute(p)) continue;
    const from = project.abs(p);
    const to = resolve(workdir, p);
    mkdirSync(dirname(to), { recursive: true });
    if (opts.transform) opts.transform(p, from, to);
    else cpSync(from, to, { recursive: true });
  }
  const sandboxed = await openProject({ dagFile: project.dag.file, configFile: opts.configFile ?? project.configFile, workdir });
  return { project: sandboxed, workdir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
