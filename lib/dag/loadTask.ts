import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskContext, TaskFunction } from './context.js';

/** Module to import for a declared task: `.ts` sources run from their compiled twin. */
export function taskModulePath(root: string, compiledDir: string, task: string): string {
  return task.endsWith('.ts') ? resolve(root, compiledDir, task.slice(0, -3) + '.js') : resolve(root, task);
}

export async function runTask(modulePath: string, ctx: TaskContext): Promise<void> {
  const mod = (await import(pathToFileURL(modulePath).href)) as { default?: TaskFunction; run?: TaskFunction };
  const fn = mod.default ?? mod.run;
  if (typeof fn !== 'function') throw new Error(`${modulePath}: a task module must export a default function (or 'run')`);
  try {
    await fn(ctx);
    ctx.commit();
  } catch (err) {
    ctx.abort();
    throw err;
  }
}
