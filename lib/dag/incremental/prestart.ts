import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WorkerPool } from '../workerPool.js';
import { taskModulePath } from '../loadTask.js';

interface RawNode {
  id?: unknown;
  task?: unknown;
  inputs?: unknown;
  outputs?: unknown;
  incremental?: { kind?: unknown };
  in_process?: unknown;
}

/**
 * For `dag run <target>` of an incremental target (declared `mode: incremental`, or
 * `--incremental`), a one-worker pool started before the CLI itself loads: the worker boots and
 * loads the task modules an incremental run is about to need (the sources, what feeds them, and
 * the nodes declared `incremental`) while the main thread loads the CLI and opens the project,
 * which takes them off the critical path of a small run. The run resizes and closes the pool.
 * Only a guess from the DAG file as written: anything unexpected means no pool (the run then
 * starts its own), never an error; the CLI validates the file properly.
 */
export async function prestartIncrementalPool(argv: string[]): Promise<WorkerPool | undefined> {
  const args = argv.slice(2);
  if (args[0] !== 'run' || !args[1] || args.some((a) => a === '--dry-run' || a === '-h' || a === '--help')) return undefined;
  try {
    const file = dagFile(args);
    if (!file) return undefined;
    const { parse } = await import('yaml');
    const dag = parse(readFileSync(file, 'utf8')) as { targets?: Record<string, unknown>; nodes?: RawNode[]; compiled_dir?: unknown };
    const target = dag.targets?.[args[1]] as { mode?: unknown } | undefined;
    if (target?.mode !== 'incremental' && !args.includes('--incremental')) return undefined;
    const tasks = tasksToWarm(dag.nodes ?? []);
    if (tasks.length === 0) return undefined;
    const compiled = typeof dag.compiled_dir === 'string' ? dag.compiled_dir : 'dist';
    const pool = new WorkerPool(1);
    pool.warm(tasks.map((t) => taskModulePath(dirname(file), compiled, t)));
    return pool;
  } catch {
    return undefined;
  }
}

/** The DAG file the CLI will use: `--dag FILE`, else pipeline.dag.yaml here or in a parent folder. */
function dagFile(args: string[]): string | undefined {
  const i = args.indexOf('--dag');
  if (i >= 0) return args[i + 1] ? resolve(args[i + 1]) : undefined;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'pipeline.dag.yaml');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Task modules of the sources, of what feeds them, and of the declared nodes, in file order. */
function tasksToWarm(nodes: RawNode[]): string[] {
  const wanted = new Set<RawNode>();
  const feed = (n: RawNode) => {
    if (wanted.has(n)) return;
    wanted.add(n);
    for (const input of Array.isArray(n.inputs) ? n.inputs : []) {
      const producers = typeof input === 'string'
        ? nodes.filter((m) => Array.isArray(m.outputs) && m.outputs.includes(input))
        : nodes.filter((m) => m.id === (input as { node?: unknown }).node);
      producers.forEach(feed);
    }
  };
  for (const n of nodes) if (n.incremental?.kind === 'source') feed(n);
  for (const n of nodes) if (n.incremental) wanted.add(n);
  // in-process tasks run in the main thread
  return nodes.filter((n) => wanted.has(n) && typeof n.task === 'string' && n.in_process !== true).map((n) => n.task as string);
}
