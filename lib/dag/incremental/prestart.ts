import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WorkerPool } from '../workerPool.js';
import { taskModulePath } from '../loadTask.js';
import { findDagFile } from '../findDagFile.js';

/**
 * For `dag run <target>` of an incremental target (declared `mode: incremental`, or
 * `--incremental`), a one-worker pool started before the CLI itself loads: the worker boots and
 * loads the task modules an incremental run is about to need while the main thread loads the CLI
 * and opens the project, which takes them off the critical path of a small run. The run resizes
 * and closes the pool.
 *
 * Only a guess, read from the DAG file's text without a YAML parser (importing one and parsing
 * the file here cost 0.1-0.3 s before anything else could start): block-style node entries as
 * in pipeline.dag.yaml are understood; anything else means no pool (the run starts its own),
 * never an error. The CLI reads and validates the file properly.
 */
export function prestartIncrementalPool(argv: string[]): WorkerPool | undefined {
  const plan = prestartPlan(argv);
  if (!plan) return undefined;
  const pool = new WorkerPool(1);
  pool.warm(plan.modules);
  return pool;
}

/** The task modules a prestarted worker would load for this command line, or undefined: no prestart. */
export function prestartPlan(argv: string[]): { modules: string[] } | undefined {
  const args = argv.slice(2);
  if (args[0] !== 'run' || !args[1] || args.some((a) => a === '--dry-run' || a === '-h' || a === '--help')) return undefined;
  try {
    const i = args.indexOf('--dag');
    if (i >= 0 && !args[i + 1]) return undefined;
    // none found: the CLI says so
    const file = findDagFile(i >= 0 ? args[i + 1] : undefined);
    const text = readFileSync(file, 'utf8');
    if (!args.includes('--incremental') && !declaredIncremental(text, args[1])) return undefined;
    const tasks = tasksToWarm(text);
    if (tasks.length === 0) return undefined;
    const compiled = /^compiled_dir:\s*(\S+)/m.exec(text)?.[1] ?? 'dist';
    return { modules: tasks.map((t) => taskModulePath(dirname(file), compiled, t)) };
  } catch {
    return undefined;
  }
}

/** `mode: incremental` in the target's entry under `targets:` (inline `{ ... }` or an indented block). */
function declaredIncremental(text: string, target: string): boolean {
  const targets = /^targets:[^\n]*\n((?:[ \t]+[^\n]*\n|[ \t]*#[^\n]*\n|\n)*)/m.exec(text)?.[1] ?? '';
  const name = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const entry = new RegExp(`^([ \\t]+)${name}:([^\\n]*)\\n((?:\\1[ \\t]+[^\\n]*\\n)*)`, 'm').exec(targets);
  return entry !== null && /\bmode:\s*incremental\b/.test(entry[2] + entry[3]);
}

/**
 * Task modules of the nodes declared `incremental`, and of the nodes without inputs (what feeds
 * the sources, such as a generated market), in file order; in-process tasks run in the main thread.
 */
function tasksToWarm(text: string): string[] {
  const nodes = text.slice(text.search(/^nodes:/m)).split(/\n\s*- id:/).slice(1);
  return nodes
    .filter((n) => !/\bin_process:\s*true\b/.test(n) && (/\bincremental:/.test(n) || !/\binputs:/.test(n)))
    .map((n) => /\btask:\s*["']?([^\s"']+)/.exec(n)?.[1])
    .filter((t): t is string => t !== undefined);
}
