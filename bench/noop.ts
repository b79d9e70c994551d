/**
 * Issue 2 benchmark: a toy DAG of 10 per-ticker nodes x 500 tickers. Times (wall, process
 * start included) a full run, a no-op run (everything cached) and a --dry-run plan.
 * Usage: npm run build && node dist/bench/noop.js [tickers] [nodes] [repeats]
 * The dag binary is `dist/bin/dag.js` under the current folder, so the same bench can time
 * another build (another checkout's folder as the current folder). Prints every repeat, then
 * the minimum and median (the minimum is the figure least disturbed by other load).
 */
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const tickers = Number(process.argv[2] ?? 500);
const nodes = Number(process.argv[3] ?? 10);
const repeats = Number(process.argv[4] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'dag-bench-'));
mkdirSync(join(dir, 'tasks'));
mkdirSync(join(dir, 'raw'));
const names = Array.from({ length: tickers }, (_, i) => `T${i}`);
const lines = ['version: 1', 'config: { file: settings.yaml }', 'fanout: tickers', 'nodes:'];
for (let n = 0; n < nodes; n++) {
  lines.push(
    `  - id: n${n}`,
    `    task: tasks/step.mjs`,
    `    description: step ${n}`,
    `    per_ticker: true`,
    `    inputs: ["${n === 0 ? 'raw/{ticker}.txt' : `out/n${n - 1}/{ticker}.txt`}"]`,
    `    outputs: ["out/n${n}/{ticker}.txt"]`,
    `    params: [factor]`,
  );
}
writeFileSync(join(dir, 'pipeline.dag.yaml'), lines.join('\n') + '\n');
writeFileSync(join(dir, 'settings.yaml'), `tickers: [${names.join(', ')}]\nfactor: 1\n`);
writeFileSync(join(dir, 'tasks/step.mjs'), `export default function (ctx) {
  const input = ctx.inputs()[0].path;
  ctx.writeBytes(ctx.spec.outputs[0], ctx.readText(input) + '.');
}
`);
for (const t of names) writeFileSync(join(dir, 'raw', `${t}.txt`), t);

const bin = resolve('dist/bin/dag.js');
const time = (args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(r.stderr);
  return { s, out: r.stdout.trim().split('\n').pop() };
};
const full = time(['run', `n${nodes - 1}`]);
console.log(`full run, ${tickers * nodes} instances: ${full.s.toFixed(2)} s  (${full.out})`);
// builds with a result store say how long keeping the outputs took (issue 12)
const lastRun = join(dir, 'artifacts/.dag/cache-last-run.json');
if (existsSync(lastRun)) {
  const { storeMs, stored } = JSON.parse(readFileSync(lastRun, 'utf8')) as { storeMs: number; stored: number };
  console.log(`  of which keeping ${stored} instances' outputs in the store: ${(storeMs / 1000).toFixed(2)} s (${((100 * storeMs) / 1000 / full.s).toFixed(1)}%)`);
}
const noops: number[] = [];
const dries: number[] = [];
for (let i = 0; i < repeats; i++) {
  const noop = time(['run', `n${nodes - 1}`]);
  const dry = time(['run', `n${nodes - 1}`, '--dry-run']);
  noops.push(noop.s);
  dries.push(dry.s);
  console.log(`no-op run: ${noop.s.toFixed(2)} s   dry-run: ${dry.s.toFixed(2)} s`);
}
const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `min ${sorted[0].toFixed(2)} s, median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} s`;
};
console.log(`no-op: ${stats(noops)}; dry-run: ${stats(dries)}`);
