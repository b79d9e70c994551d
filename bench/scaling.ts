/**
 * Issue 13: how each layer of the full `dag run backtest` scales with the universe.
 *
 *   npm run build
 *   node dist/bench/scaling.js                    # 50, 200 and 500 sample tickers x 6 years
 *   node dist/bench/scaling.js 50 200             # other sizes
 *   options: --concurrency N (default: cores), --no-train-compare, --no-noop, --keep
 *
 * For each size: a full run from an empty work folder (wall time, peak memory, each layer's summed
 * task seconds and its time per 1,000 ticker-days). At the largest size, also: three no-op runs
 * (everything cached, process start included), and training alone with --concurrency 1 and then
 * 2 (ml.seed changed before each, so every `train` instance reruns and nothing upstream does;
 * the figure is the wall span of the train instances). The machine's load (`uptime`) is printed
 * with the figures: on a shared machine, compare runs made at similar load.
 *
 * The market: tickers S000.. plus the benchmark SPY, the backtest 2019-01-01..2021-12-31, and the
 * sample's warm-up before it (feature look-back + training windows), about 6 years (2016..2021).
 */
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchSettings, benchWorkdir, layerTimes, runDag, writeSettings, type LayerRow } from './support/backtestRun.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = args.filter((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')).map(Number);
const SIZES = sizes.length ? sizes : [50, 200, 500];
const concurrency = opt('concurrency');
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

interface SizeResult {
  n: number;
  tickerDays: number;
  wallS: number;
  maxRssMiB: number;
  treeRssMiB: number;
  rows: LayerRow[];
  loadBefore: string;
  loadAfter: string;
}

async function fullRun(n: number): Promise<{ result: SizeResult; workdir: string; settings: Record<string, any> }> {
  const settings = benchSettings(n);
  const workdir = benchWorkdir(`scaling-${n}`, settings);
  const loadBefore = load();
  const run = await runDag(workdir, ['run', 'backtest', '--json', ...(concurrency ? ['--concurrency', concurrency] : [])]);
  if (run.code !== 0) throw new Error(`dag run backtest (${n} tickers) exited ${run.code}: ${run.stderr.slice(-3000)}`);
  // ticker-days: every ticker's rows in the sample market (the raw CSVs minus their headers)
  let tickerDays = 0;
  for (const t of settings.tickers as string[]) tickerDays += readFileSync(join(workdir, `data/raw/${t}_raw.csv`), 'utf8').trimEnd().split('\n').length - 1;
  const { rows } = layerTimes(workdir);
  const result = { n, tickerDays, wallS: run.wallS, maxRssMiB: run.maxRssMiB, treeRssMiB: run.treeRssMiB, rows, loadBefore, loadAfter: load() };
  console.log(`${n} tickers: ${tickerDays} ticker-days, wall ${run.wallS.toFixed(1)} s, max RSS ${run.maxRssMiB.toFixed(0)} MiB (tree ${run.treeRssMiB.toFixed(0)} MiB), load ${loadBefore} -> ${result.loadAfter}`);
  return { result, workdir, settings };
}

async function noop(workdir: string): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < 3; k++) {
    const r = await runDag(workdir, ['run', 'backtest', '--json']);
    if (r.code !== 0 || (JSON.parse(r.stdout) as { executed: number }).executed !== 0) throw new Error(`the no-op run ran something: ${r.stdout.slice(0, 300)}`);
    out.push(r.wallS);
  }
  return out;
}

/** Training alone (every train instance reruns: a new ml.seed) with the given workers. */
async function trainOnly(workdir: string, settings: Record<string, any>, workers: number): Promise<{ spanS: number; taskS: number; wallS: number; instances: number }> {
  settings.ml.seed += 1;
  writeSettings(workdir, settings);
  const t0 = Date.now();
  const r = await runDag(workdir, ['run', 'registry', '--json', '--concurrency', String(workers)]);
  if (r.code !== 0) throw new Error(`dag run registry exited ${r.code}: ${r.stderr.slice(-2000)}`);
  const train = layerTimes(workdir, t0).rows.find((x) => x.node === 'train')!;
  return { spanS: train.span / 1000, taskS: train.ms / 1000, wallS: r.wallS, instances: train.instances };
}

async function main(): Promise<void> {
  console.log(`scaling: ${SIZES.join(', ')} tickers; concurrency ${concurrency ?? 'default (cores)'}; load average ${load()}`);
  const results: SizeResult[] = [];
  let last: { workdir: string; settings: Record<string, any> } | undefined;
  for (const n of SIZES) {
    const { result, workdir, settings } = await fullRun(n);
    results.push(result);
    if (last && !args.includes('--keep')) rmSync(last.workdir, { recursive: true, force: true });
    last = { workdir, settings };
  }
  const layers = [...new Set(results.flatMap((r) => r.rows.map((x) => x.node)))];
  console.log('\n### Per layer: summed task seconds, and ms per 1,000 ticker-days\n');
  console.log(`| layer | ${results.map((r) => `${r.n} tickers: s`).join(' | ')} | ${results.map((r) => `${r.n}: ms / 1k ticker-days`).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---:').join('|')}|${results.map(() => '---:').join('|')}|`);
  for (const layer of layers) {
    const rows = results.map((r) => r.rows.find((x) => x.node === layer));
    const secs = rows.map((x) => (x ? (x.ms / 1000).toFixed(2) : '-'));
    const per = rows.map((x, i) => (x ? ((x.ms / results[i].tickerDays) * 1000).toFixed(1) : '-'));
    console.log(`| ${layer} | ${secs.join(' | ')} | ${per.join(' | ')} |`);
  }
  console.log('\n### Whole run\n');
  console.log('| tickers | ticker-days | wall (s) | wall per 1k ticker-days (ms) | task time (s) | peak RSS, time -v (MiB) | peak RSS, process tree (MiB) | load before -> after |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const task = r.rows.reduce((a, x) => a + x.ms, 0) / 1000;
    console.log(`| ${r.n} | ${r.tickerDays} | ${r.wallS.toFixed(1)} | ${((r.wallS * 1e6) / r.tickerDays).toFixed(1)} | ${task.toFixed(1)} | ${r.maxRssMiB.toFixed(0)} | ${r.treeRssMiB.toFixed(0)} | ${r.loadBefore} -> ${r.loadAfter} |`);
  }
  if (last && !args.includes('--no-noop')) {
    const times = await noop(last.workdir);
    console.log(`\nno-op run at ${SIZES.at(-1)} tickers (process start to exit): ${times.map((t) => `${t.toFixed(2)} s`).join(', ')}; load ${load()}`);
  }
  if (last && !args.includes('--no-train-compare')) {
    const one = await trainOnly(last.workdir, last.settings, 1);
    const two = await trainOnly(last.workdir, last.settings, 2);
    console.log(`\ntraining alone at ${SIZES.at(-1)} tickers (${one.instances} train instances; wall span of the train instances):`);
    console.log(`  --concurrency 1: ${one.spanS.toFixed(1)} s (task time ${one.taskS.toFixed(1)} s)`);
    console.log(`  --concurrency 2: ${two.spanS.toFixed(1)} s (task time ${two.taskS.toFixed(1)} s)`);
    console.log(`  speed-up ${(one.spanS / two.spanS).toFixed(2)}x; load ${load()}`);
  }
  if (last && !args.includes('--keep')) rmSync(last.workdir, { recursive: true, force: true });
}

await main();
