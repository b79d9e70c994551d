import { pathToFileURL } from 'node:url';
import type winston from 'winston';
import type { Project } from '../project.js';
import type { TargetDecl } from '../spec.js';
import type { RunSummary } from '../runner.js';
import { taskModulePath } from '../loadTask.js';
import { UserError } from '../errors.js';

/** What a target's hooks are given: the project, the command line's options, the run's logger. */
export interface HookContext {
  project: Project;
  /** Every option of `dag run`, including those the pipeline registers (cli.ts, CliHooks.targetOptions). */
  options: Record<string, unknown>;
  logger: winston.Logger;
}

/**
 * A module a target names with `hooks:` in the DAG file, for what its pipeline adds around a
 * run and the engine cannot know (every export is optional):
 * - `prepare`: before anything runs: check preconditions (throw a UserError), change the config
 *   (return the project with it), or lift the target's `exclude` list;
 * - `previousDay`: the day before `today` on the pipeline's calendar (`--since yesterday`);
 * - `finished`: after a run without failures (warnings about what the run did not do).
 */
export interface TargetHooks {
  prepare?: (ctx: HookContext) => Promise<{ project?: Project; exclude?: string[] } | void> | { project?: Project; exclude?: string[] } | void;
  previousDay?: (today: string) => string;
  finished?: (ctx: HookContext & { summary: RunSummary }) => Promise<void> | void;
}

const HOOK_NAMES = ['prepare', 'previousDay', 'finished'];

export async function loadTargetHooks(project: Project, name: string, decl: TargetDecl): Promise<TargetHooks> {
  if (!decl.hooks) return {};
  const path = taskModulePath(project.dag.root, project.dag.spec.compiled_dir, decl.hooks);
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  for (const k of HOOK_NAMES) {
    if (mod[k] !== undefined && typeof mod[k] !== 'function') throw new UserError(`${decl.hooks} (hooks of target '${name}'): '${k}' must be a function`);
  }
  if (!HOOK_NAMES.some((k) => k in mod)) throw new UserError(`${decl.hooks} (hooks of target '${name}'): exports none of ${HOOK_NAMES.join(', ')}`);
  return mod as TargetHooks;
}
