/**
 * A 12-variant risk sweep (3 target vols x 2 max weights x 2 max-gross values) against one full
 * `dag run backtest`, each from an empty work folder (no store, nothing cached), wall time.
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/sweep.js sample3               # the shipped 3-ticker sample (target: sweep <= 3x backtest)
 *   node dist/bench/sweep.js 500                   # 500 tickers x 6 years (target: sweep <= 2x backtest)
 *   options: --tickers N (with 500), --concurrency N, --repeat N (best of N), --keep
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { benchSettings } from './support/backtestRun.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DAG_BIN = join(REPO, 'dist/bin/dag.js');
const args = process.argv.slice(2);
const mode = args[0] ?? 'sample3';
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
if (mode !== 'sample3' && mode !== '500') throw new Error(`unknown mode '${mode}' (sample3 | 500)`);
const settings = benchSettings(mode === 'sample3' ? null : Number(opt('tickers') ?? 500));
const concurrency = opt('concurrency');
const repeat = Number(opt('repeat') ?? 1);
const SWEEP = ['--set', 'risk.target_vol=0.10,0.15,0.20', '--set', 'risk.max_weight=0.05,0.10', '--set', 'risk.max_gross=0.8,1.0', '--name', 'bench'];

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-bench-sweep-'));
  mkdirSync(join(dir, 'config'));
  copyFileSync(join(REPO, 'config/regimes.yaml'), join(dir, 'config/regimes.yaml'));
  writeFileSync(join(dir, 'config/settings.yaml'), stringify(settings));
  return dir;
}

function timed(args: string[]): number {
  const dir = workdir();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [DAG_BIN, ...args, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml'), ...(concurrency ? ['--concurrency', concurrency] : [])], { encoding: 'utf8', maxBuffer: 1 << 30 }); // a 500-ticker sweep logs ~30,000 restores
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`dag ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  return s;
}

const best = (f: () => number) => Math.min(...Array.from({ length: repeat }, f));
const load = loadavg()[0];
const backtest = best(() => timed(['run', 'backtest']));
const sweep = best(() => timed(['sweep', 'backtest', ...SWEEP]));
console.log(JSON.stringify({ mode, tickers: settings.tickers.length, backtestS: +backtest.toFixed(2), sweepS: +sweep.toFixed(2), ratio: +(sweep / backtest).toFixed(2), loadBefore: +load.toFixed(2), loadAfter: +loadavg()[0].toFixed(2) }));
