import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { openProject, targetNodes, type Project } from '../project.js';
import { selectInstances } from '../plan.js';
import { readYamlFile } from '../yamlFile.js';
import { UserError } from '../errors.js';
import { applyOverlay, describeOverlay, type Overlay } from './overlay.js';

/** Where a project keeps its sweeps, relative to its work folder. */
export const SWEEPS_DIR = 'artifacts/sweeps';

export interface PreparedVariant {
  id: string;
  overlay: Overlay;
  /** The variant's work folder: its artifacts and its runner state live under it. */
  dir: string;
  project: Project;
  /** Instances of the target in this variant, in plan order. */
  ids: string[];
}

export function sweepDir(main: Project, name: string): string {
  return resolve(main.workdir, SWEEPS_DIR, name);
}

/**
 * Each variant's settings (the project's raw settings with the overlay written in), validated by
 * the DAG file's own config loader, and a project over the variant's folder. Every variant is
 * validated before anything is written; an error names the variant and its overlay. With
 * `write`, each variant's settings.yaml is written into its folder (kept as is when unchanged)
 * and the files the target reads but no node writes (raw data, config tables) are linked in.
 */
export async function prepareVariants(
  main: Project,
  name: string,
  target: string,
  variants: { id: string; overlay: Overlay }[],
  opts: { write: boolean },
): Promise<PreparedVariant[]> {
  const checked = await checkVariants(main, name, target, variants);
  return opts.write ? writeVariants(main, checked) : checked;
}

/** A variant validated, its settings text not yet written (`writeVariants` does). */
export interface CheckedVariant extends PreparedVariant {
  text: string;
}

/** The validation half of prepareVariants: nothing is written. */
export async function checkVariants(main: Project, name: string, target: string, variants: { id: string; overlay: Overlay }[]): Promise<CheckedVariant[]> {
  const nodes = targetNodes(main, target);
  const raw = readYamlFile(main.configFile);
  const root = sweepDir(main, name);
  const staging = mkdtempSync(join(tmpdir(), 'dag-sweep-'));
  const checked: CheckedVariant[] = [];
  try {
    for (const v of variants) {
      const where = `sweep '${name}' variant ${v.id} (${describeOverlay(v.overlay)})`;
      const text = stringify(applyOverlay(raw, v.overlay, where));
      const staged = join(staging, `${v.id}.yaml`);
      writeFileSync(staged, text);
      const dir = join(root, v.id);
      let project: Project;
      try {
        project = await openProject({ dagFile: main.dag.file, configFile: staged, workdir: dir });
      } catch (err) {
        if (err instanceof UserError) throw new UserError(err.message.replaceAll(staged, where), err.exitCode);
        throw err;
      }
      checked.push({ id: v.id, overlay: v.overlay, dir, project, ids: selectInstances(project.plan, nodes), text });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return checked;
}

/** The writing half: each variant's settings.yaml in its folder, its sources linked in. */
export async function writeVariants(main: Project, checked: CheckedVariant[]): Promise<PreparedVariant[]> {
  const out: PreparedVariant[] = [];
  for (const { text, ...v } of checked) {
    const file = join(v.dir, 'settings.yaml');
    mkdirSync(v.dir, { recursive: true });
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
    const project = await openProject({ dagFile: main.dag.file, configFile: file, workdir: v.dir });
    linkSources(main, project, v.ids, dirname(v.dir));
    out.push({ ...v, project });
  }
  return out;
}

/**
 * Files the instances read and no instance writes are symbolic links to the project's own copies
 * (the same relative path inside the variant's folder, so cache keys stay those of a plain run).
 * A path that climbs out of the sweep's folder cannot be placed and is an error.
 */
function linkSources(main: Project, project: Project, ids: string[], root: string): void {
  for (const id of ids) {
    for (const ref of project.plan.instances.get(id)!.inputs) {
      if (ref.producer || isAbsolute(ref.path)) continue;
      const to = project.abs(ref.path).replace(/\/$/, '');
      const from = main.abs(ref.path).replace(/\/$/, '');
      if (relative(root, to).startsWith('..')) {
        throw new UserError(`input ${ref.path} climbs out of the sweep folder ${relative(main.workdir, root)}; give it as an absolute path in the settings to sweep over it`);
      }
      if (!existsSync(from) || lstatExists(to)) continue;
      mkdirSync(dirname(to), { recursive: true });
      symlinkSync(from, to);
    }
  }
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
