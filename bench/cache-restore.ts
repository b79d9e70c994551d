/**
 * Issue 12: what the result store costs and what it saves, on the sample market.
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/cache-restore.js 500            # 500 tickers x 6 years (two full runs of ~4 min each)
 *   node dist/bench/cache-restore.js sample3        # the shipped 3-ticker config
 *   options: --tickers N, --skip-nocache (leave out the store-overhead run), --keep,
 *            --reuse DIR --compute-s S (time the restores again from a kept run's folder DIR,
 *            whose compute took S seconds)
 *
 * 1. compute: `dag run backtest` from an empty folder, keeping every output in its local store
 * 2. compute --no-cache: the same with no store (the difference is the store's overhead)
 * 3. warm local store: a fresh folder whose cache.dir is the first folder's store
 * 4. warm file remote: `dag cache push` from the first folder to a file:// remote, then a fresh
 *    folder with an empty local store reading through that remote
 * Each timed run is a separate `dag` process, wall time from spawn to exit. Restored folders are
 * checked to hold the computed folder's output hashes. The store's overhead is also measured
 * directly: the run's own time spent adopting outputs and writing manifests (`storeMs` in
 * artifacts/.dag/cache-last-run.json), which other load on the machine disturbs far less than
 * the difference of two full runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { benchSettings } from './support/backtestRun.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DAG_BIN = join(REPO, 'dist/bin/dag.js');
const args = process.argv.slice(2);
const mode = args[0] ?? 'sample3';
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
if (mode !== 'sample3' && mode !== '500') throw new Error(`unknown mode '${mode}' (sample3 | 500)`);
const base = benchSettings(mode === '500' ? Number(opt('tickers') ?? 500) : null);
const reuse = opt('reuse');
const root = reuse ?? mkdtempSync(join(tmpdir(), `bench-cache-${mode}-`));

function folder(name: string, cache?: Record<string, unknown>): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'config/regimes.yaml'), readFileSync(join(REPO, 'config/regimes.yaml')));
  writeFileSync(join(dir, 'config/settings.yaml'), stringify(cache ? { ...base, cache } : base));
  return dir;
}

function dag(dir: string, cmd: string[]): { s: number; out: Record<string, any> } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [DAG_BIN, ...cmd, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml'), '--json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`dag ${cmd.join(' ')} in ${dir} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  return { s, out: JSON.parse(r.stdout) };
}

/** Every instance's output hashes, in a canonical order. */
const outputsOf = (dir: string) => {
  const recs = JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')).records as Record<string, { outputs: Record<string, string> }>;
  return Object.keys(recs).sort().flatMap((id) => Object.keys(recs[id].outputs).sort().map((p) => `${id} ${p} ${recs[id].outputs[p]}`)).join('\n');
};

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`mode ${mode}: ${base.tickers.length} tickers, backtest ${base.backtest.start_date} .. ${base.backtest.end_date}; load average ${load()}`);

const store = join(root, 'store');
const computed = reuse ? join(root, 'computed') : folder('computed', { dir: store });
const compute = reuse ? { s: Number(opt('compute-s')), out: {} } : dag(computed, ['run', 'backtest']);
if (!reuse) {
  const storeMs = (JSON.parse(readFileSync(join(computed, 'artifacts/.dag/cache-last-run.json'), 'utf8')) as { storeMs: number }).storeMs;
  console.log(`compute (keeping outputs in the store): ${compute.s.toFixed(1)} s, ${compute.out.executed} instances ran; ${(storeMs / 1000).toFixed(2)} s of it keeping outputs in the store (${((100 * storeMs) / 1000 / compute.s).toFixed(1)}%); load ${load()}`);
}

if (!reuse && !args.includes('--skip-nocache')) {
  const plain = dag(folder('nocache'), ['run', 'backtest', '--no-cache']);
  console.log(`compute --no-cache: ${plain.s.toFixed(1)} s; store overhead ${((compute.s / plain.s - 1) * 100).toFixed(1)}%; load ${load()}`);
}

const local = folder('local', { dir: store });
const fromLocal = dag(local, ['run', 'backtest']);
if (fromLocal.out.executed !== 0 || outputsOf(local) !== outputsOf(computed)) throw new Error('the warm local store did not restore everything identically');
console.log(`restore from a warm local store: ${fromLocal.s.toFixed(2)} s, ${fromLocal.out.restored} restored; ${(compute.s / fromLocal.s).toFixed(1)}x faster than computing; load ${load()}`);

const remoteDir = join(root, 'remote');
mkdirSync(remoteDir);
const remote = pathToFileURL(remoteDir).href;
writeFileSync(join(computed, 'config/settings.yaml'), stringify({ ...base, cache: { dir: store, remote } }));
const push = dag(computed, ['cache', 'push', 'backtest']);
console.log(`dag cache push to a file remote: ${push.s.toFixed(2)} s, ${push.out.entries} entries, ${push.out.blobs} blobs, ${(push.out.bytes / 2 ** 20).toFixed(1)} MiB`);

const fresh = folder('fresh', { dir: join(root, 'fresh-store'), remote });
const fromRemote = dag(fresh, ['run', 'backtest']);
if (fromRemote.out.executed !== 0 || outputsOf(fresh) !== outputsOf(computed)) throw new Error('the warm remote did not restore everything identically');
console.log(`restore from a warm file remote (empty local store): ${fromRemote.s.toFixed(2)} s, ${fromRemote.out.restored} restored; ${(compute.s / fromRemote.s).toFixed(1)}x faster than computing; load ${load()}`);

if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });
else console.log(`kept ${root}`);
