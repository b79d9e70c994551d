/**
 * Issue 16: how much of a daily run's budget a fresh process spends before any work. Times, from
 * process start to exit (wall, median of the repeats):
 * - `node -e 0`: Node itself;
 * - the import floor: one process that imports the CLI in its main thread and, in parallel, the
 *   task modules of the `daily` target in a worker thread (with ONNX Runtime, which `predict`
 *   imports on first use), then exits. A `dag run daily` does at least this much before its first
 *   instance's own work, however fast the engine.
 *
 *   npm run build && node dist/bench/import-floor.js [repeats] [node,node,...]
 *
 * The nodes default to the daily target's in pipeline.dag.yaml: its `nodes` and everything they
 * read through `{ node: ... }` inputs, minus `exclude`; a day that leaves some of them cached
 * (`weights`, or `report` when the backtest did not change) imports fewer: name those that ran.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repeats = Number(process.argv[2] ?? 7);

interface DagNode { id: string; task: string; inputs?: (string | { node: string })[] }
const dag = parse(readFileSync(join(REPO, 'pipeline.dag.yaml'), 'utf8')) as {
  targets: { daily: { nodes: string[]; exclude?: string[] } };
  nodes: DagNode[];
};
const byId = new Map(dag.nodes.map((n) => [n.id, n]));
const excluded = new Set(dag.targets.daily.exclude ?? []);
const wanted = new Set<string>();
const visit = (id: string): void => {
  if (wanted.has(id) || excluded.has(id)) return;
  wanted.add(id);
  for (const i of byId.get(id)!.inputs ?? []) if (typeof i === 'object') visit(i.node);
};
if (process.argv[3]) process.argv[3].split(',').forEach((id) => { if (!byId.has(id)) throw new Error(`no node ${id}`); wanted.add(id); });
else dag.targets.daily.nodes.forEach(visit);
const modules = [...wanted].map((id) => pathToFileURL(join(REPO, 'dist', byId.get(id)!.task.replace(/\.ts$/, '.js'))).href);
const ort = pathToFileURL(join(REPO, 'node_modules/onnxruntime-node/dist/index.js')).href;

// the child: CLI in the main thread, task modules in a worker, both at once, as `dag run` does
const child = `
import { Worker } from 'node:worker_threads';
const w = new Worker(${JSON.stringify(`(async () => { for (const m of ${JSON.stringify([...modules, ort])}) await import(m); (await import('node:worker_threads')).parentPort.postMessage(0); })();`)}, { eval: true });
const done = new Promise((r) => w.once('message', r));
await import(${JSON.stringify(pathToFileURL(join(REPO, 'dist/lib/dag/cli.js')).href)});
await done;
process.exit(0);
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (args: string[]) => {
  const ms: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    ms.push(performance.now() - t0);
  }
  return median(ms);
};

console.log(`daily target's nodes: ${[...wanted].join(', ')}`);
console.log(`node -e 0: ${time(['-e', '0']).toFixed(0)} ms`);
// --v8-pool-size=1: the options bin/dag.js runs with
console.log(`import floor (CLI + ${modules.length} task modules + ONNX Runtime, two threads): ${time(['--v8-pool-size=1', '--input-type=module', '-e', child]).toFixed(0)} ms`);
