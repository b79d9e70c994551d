/**
 * Full `dag run backtest` from an empty work folder (all nine layers), timed, with peak memory
 * and each layer's share of the time from the run log (artifacts/.dag/runs/*.jsonl, event 'end').
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/backtest-500.js sample3            # the shipped config: 3-ticker sample market (target <= 60 s)
 *   node dist/bench/backtest-500.js 500                # 500 tickers x 6-year sample market (target <= 10 min, <= 4 GiB)
 *   node dist/bench/backtest-500.js 500 --tickers 100  # fewer tickers (scaling runs)
 *   options: --tickers N, --start YYYY-MM-DD --end YYYY-MM-DD (backtest window), --concurrency N, --keep
 *
 * The 500-ticker market: tickers S000..S498 plus the benchmark SPY, data.source sample, shipped
 * settings otherwise. Its backtest window 2019-01-02..2021-12-31 plus the sample's warm-up
 * (longest look-back + max(ml, regime) min_train + 21 days, generated before the start) makes the
 * sample market ~6 years (2016..2021) of daily bars per ticker.
 *
 * Peak memory: `/usr/bin/time -v`'s maximum resident set size of the dag process (task bodies run
 * in worker threads of that one process) and, independently, the largest sum of VmRSS over the
 * process tree sampled from /proc every 100 ms.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { sampleSettings } from './sampleSettings.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DAG_BIN = join(REPO, 'dist/bin/dag.js');
const TIME = '/usr/bin/time';

const args = process.argv.slice(2);
const mode = args[0] ?? 'sample3';
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const keep = args.includes('--keep');

function settingsFor(): Record<string, any> {
  if (mode !== 'sample3' && mode !== '500') throw new Error(`unknown mode '${mode}' (sample3 | 500)`);
  return sampleSettings(REPO, mode === 'sample3' ? undefined : { tickers: Number(opt('tickers') ?? 500), start: opt('start'), end: opt('end') });
}

/** Sum of VmRSS (kB) over pid and all its descendants. */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(name));
    } catch {
      /* exited */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      /* exited */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

interface EndEvent { time: string; instance: string; ms: number }

function layerShares(workdir: string): { rows: { node: string; instances: number; ms: number; share: number; span: number }[]; totalMs: number } {
  const dir = join(workdir, 'artifacts/.dag/runs');
  const events: EndEvent[] = [];
  const starts = new Map<string, number>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as EndEvent & { event?: string };
      if (e.event === 'start') starts.set(e.instance, Date.parse(e.time));
      if (e.event === 'end') events.push(e);
    }
  }
  const byNode = new Map<string, { instances: number; ms: number; first: number; last: number }>();
  for (const e of events) {
    const node = e.instance.replace(/\[.*\]$/, '');
    const end = Date.parse(e.time);
    const start = starts.get(e.instance) ?? end - e.ms;
    const row = byNode.get(node) ?? { instances: 0, ms: 0, first: Infinity, last: -Infinity };
    row.instances++;
    row.ms += e.ms;
    row.first = Math.min(row.first, start);
    row.last = Math.max(row.last, end);
    byNode.set(node, row);
  }
  const totalMs = [...byNode.values()].reduce((a, r) => a + r.ms, 0);
  const rows = [...byNode.entries()].map(([node, r]) => ({ node, instances: r.instances, ms: r.ms, share: r.ms / totalMs, span: r.last - r.first }));
  return { rows, totalMs };
}

async function main(): Promise<void> {
  const settings = settingsFor();
  const workdir = mkdtempSync(join(tmpdir(), `bench-backtest-${mode}-`));
  mkdirSync(join(workdir, 'config'));
  writeFileSync(join(workdir, 'config/regimes.yaml'), readFileSync(join(REPO, 'config/regimes.yaml')));
  writeFileSync(join(workdir, 'config/settings.yaml'), stringify(settings));
  const dagArgs = [DAG_BIN, 'run', 'backtest', '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', workdir, '--config', join(workdir, 'config/settings.yaml'), '--json'];
  const conc = opt('concurrency');
  if (conc) dagArgs.push('--concurrency', conc);
  const useTime = existsSync(TIME);
  const [cmd, cmdArgs] = useTime ? [TIME, ['-v', process.execPath, ...dagArgs]] : [process.execPath, dagArgs];
  console.log(`mode ${mode}: ${settings.tickers.length} tickers, backtest ${settings.backtest.start_date} .. ${settings.backtest.end_date}, workdir ${workdir}`);

  const t0 = performance.now();
  const child = spawn(cmd, cmdArgs, { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peakTreeKb = 0;
  const sampler = setInterval(() => {
    peakTreeKb = Math.max(peakTreeKb, treeRssKb(child.pid!));
  }, 100);
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? -1)));
  clearInterval(sampler);
  const wallS = (performance.now() - t0) / 1000;

  const timeMaxKb = useTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN) : NaN;
  if (code !== 0) {
    console.log(stderr.slice(-4000));
    throw new Error(`dag run backtest exited ${code}`);
  }
  const summary = JSON.parse(stdout) as { executed: number; skipped: number; failed: number; durationMs: number };
  const strategy = settings.backtest.strategy_name as string;
  const metrics = JSON.parse(readFileSync(join(workdir, `artifacts/backtests/${strategy}/summary.json`), 'utf8')) as Record<string, unknown>;
  const sample = /sample: (.*)/.exec(stderr)?.[1] ?? '';
  const { rows, totalMs } = layerShares(workdir);

  console.log(`sample market: ${sample}`);
  console.log(`exit ${code}; executed ${summary.executed}, failed ${summary.failed}; dag durationMs ${summary.durationMs}; wall ${wallS.toFixed(1)} s`);
  console.log(`peak memory: /usr/bin/time max RSS ${(timeMaxKb / 1024).toFixed(0)} MiB; /proc tree sum ${(peakTreeKb / 1024).toFixed(0)} MiB`);
  console.log(`Sharpe ${metrics.sharpe}, total return ${metrics.total_return}, n_days ${metrics.n_days}`);
  console.log(`\nlayer time (sum of instance ms from the run log; ${(totalMs / 1000).toFixed(1)} s in all, concurrency spreads it over the wall time):`);
  console.log('| layer | instances | instance time (s) | share | wall span (s) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.node} | ${r.instances} | ${(r.ms / 1000).toFixed(2)} | ${(100 * r.share).toFixed(1)}% | ${(r.span / 1000).toFixed(2)} |`);
  if (!keep) rmSync(workdir, { recursive: true, force: true });
}

await main();
