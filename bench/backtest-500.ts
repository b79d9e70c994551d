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
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchSettings, benchWorkdir, layerTimes, runDag } from './support/backtestRun.js';

const args = process.argv.slice(2);
const mode = args[0] ?? 'sample3';
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const keep = args.includes('--keep');

function settingsFor(): Record<string, any> {
  if (mode === 'sample3') return benchSettings(null);
  if (mode !== '500') throw new Error(`unknown mode '${mode}' (sample3 | 500)`);
  return benchSettings(Number(opt('tickers') ?? 500), opt('start'), opt('end'));
}

async function main(): Promise<void> {
  const settings = settingsFor();
  const workdir = benchWorkdir(`backtest-${mode}`, settings);
  const dagArgs = ['run', 'backtest', '--json'];
  const conc = opt('concurrency');
  if (conc) dagArgs.push('--concurrency', conc);
  console.log(`mode ${mode}: ${settings.tickers.length} tickers, backtest ${settings.backtest.start_date} .. ${settings.backtest.end_date}, workdir ${workdir}`);

  const run = await runDag(workdir, dagArgs);
  if (run.code !== 0) {
    console.log(run.stderr.slice(-4000));
    throw new Error(`dag run backtest exited ${run.code}`);
  }
  const summary = JSON.parse(run.stdout) as { executed: number; skipped: number; failed: number; durationMs: number };
  const strategy = settings.backtest.strategy_name as string;
  const metrics = JSON.parse(readFileSync(join(workdir, `artifacts/backtests/${strategy}/summary.json`), 'utf8')) as Record<string, unknown>;
  const sample = /sample: (.*)/.exec(run.stderr)?.[1] ?? '';
  const { rows, totalMs } = layerTimes(workdir);

  console.log(`sample market: ${sample}`);
  console.log(`exit ${run.code}; executed ${summary.executed}, failed ${summary.failed}; dag durationMs ${summary.durationMs}; wall ${run.wallS.toFixed(1)} s`);
  console.log(`peak memory: /usr/bin/time max RSS ${run.maxRssMiB.toFixed(0)} MiB; /proc tree sum ${run.treeRssMiB.toFixed(0)} MiB`);
  console.log(`Sharpe ${metrics.sharpe}, total return ${metrics.total_return}, n_days ${metrics.n_days}`);
  console.log(`\nlayer time (sum of instance ms from the run log; ${(totalMs / 1000).toFixed(1)} s in all, concurrency spreads it over the wall time):`);
  console.log('| layer | instances | instance time (s) | share | wall span (s) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.node} | ${r.instances} | ${(r.ms / 1000).toFixed(2)} | ${(100 * r.share).toFixed(1)}% | ${(r.span / 1000).toFixed(2)} |`);
  if (!keep) rmSync(workdir, { recursive: true, force: true });
}

await main();
