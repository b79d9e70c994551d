/**
 * Issues 6 and 16 benchmark: one new day for every ticker in daily mode, against a full rebuild.
 * `daily` is the target pipeline.dag.yaml declares with `mode: incremental`: what it recomputes,
 * and from which date, follows from the nodes' `incremental:` declarations (lib/dag/incremental).
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/daily.js 3          # the shipped 3-ticker sample market (target <= 3 s)
 *   node dist/bench/daily.js 500        # 500 tickers x 6-year sample market (target <= 30 s)
 *   node dist/bench/daily.js 3 csv      # the same market as raw CSV files that grow by one row
 *   node dist/bench/daily.js 500 csv --keep   # keep the work folder for a look afterwards
 *
 * Runs `dag run backtest` in an empty work folder (the full rebuild, timed), then a daily run
 * three times, timing each from process start to exit:
 * - default: `dag run daily --extend 1`, which regenerates the sample market one trading day
 *   longer (a ticker whose new day is an ex-dividend day is restated and rebuilt in full, as
 *   real data would be);
 * - `csv`: the market's raw files as a user's own data (`data.source: csv`), the last three rows
 *   held back; each daily run follows the appending of one row to every file, as a data job
 *   would do after the close.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const n = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'dag-daily-bench-'));
mkdirSync(join(dir, 'config'));
cpSync(join(REPO, 'config/regimes.yaml'), join(dir, 'config/regimes.yaml'));
const s = parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')) as Record<string, any>;
if (n !== 3) {
  s.tickers = [...Array.from({ length: n - 1 }, (_, i) => `S${String(i).padStart(3, '0')}`), 'SPY'];
  s.benchmark = 'SPY';
  s.backtest.start_date = '2019-01-01';
  s.backtest.end_date = '2021-12-31';
}
const csv = process.argv[3] === 'csv';
const settingsFile = join(dir, 'config/settings.yaml');
writeFileSync(settingsFile, stringify(s));

const dag = (args: string[]) => {
  const t0 = performance.now();
  // run the executable itself, as `npx dag` does, so its shebang's node options apply
  const r = spawnSync(join(REPO, 'dist/bin/dag.js'), [...args, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`dag ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { executed: number; instances: { node: string; action: string; ms: number; reasons: string[] }[] };
  return { seconds, summary, stderr: r.stderr };
};

/** Raw files of the sample market three days longer, moved to raw/, their last rows held back. */
const tails = new Map<string, string[]>();
if (csv) {
  writeFileSync(settingsFile, stringify({ ...s, data: { ...s.data, sample: { ...s.data.sample, extra_days: 3 } } }));
  dag(['run', 'sample']);
  mkdirSync(join(dir, 'raw'));
  for (const t of s.tickers as string[]) {
    const lines = readFileSync(join(dir, `data/raw/${t}_raw.csv`), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, `raw/${t}.csv`), lines.slice(0, -3).join('\n') + '\n');
    tails.set(t, lines.slice(-3));
  }
  rmSync(join(dir, 'data'), { recursive: true });
  rmSync(join(dir, 'artifacts'), { recursive: true });
  writeFileSync(settingsFile, stringify({ ...s, data: { ...s.data, source: 'csv' }, paths: { ...s.paths, raw: 'raw/{ticker}.csv' } }));
}

const full = dag(['run', 'backtest']);
console.log(`${n} tickers${csv ? ' (raw CSV files)' : ''}: full rebuild (dag run backtest): ${full.seconds.toFixed(2)} s, ${full.summary.executed} instances`);
for (let k = 1; k <= 3; k++) {
  if (csv) for (const [t, rows] of tails) appendFileSync(join(dir, `raw/${t}.csv`), rows[k - 1] + '\n');
  const d = dag(csv ? ['run', 'daily'] : ['run', 'daily', '--extend', '1']);
  const ran = d.summary.instances.filter((i) => i.action === 'ran');
  const restated = ran.filter((i) => i.node === 'features' && !i.reasons.some((r) => r.startsWith('incremental'))).length;
  const byNode = new Map<string, number>();
  for (const i of ran) byNode.set(i.node, (byNode.get(i.node) ?? 0) + i.ms);
  const top = [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([node, ms]) => `${node} ${(ms / 1000).toFixed(1)}`).join(', ');
  // the tasks' own time, without the engine's: a floor for the wall time on this many cores
  const taskSeconds = ran.reduce((sum, i) => sum + i.ms, 0) / 1000;
  console.log(`daily #${k}: ${d.seconds.toFixed(2)} s wall (${(full.seconds / d.seconds).toFixed(1)}x faster than the full rebuild), ${ran.length} instances ran, ${restated} ticker(s) restated; task seconds by node: ${top}; all tasks ${taskSeconds.toFixed(2)} s (${(taskSeconds / availableParallelism()).toFixed(2)} s of wall on ${availableParallelism()} cores at best)`);
}
if (process.argv.includes('--keep')) console.log(`work folder kept: ${dir}`);
else rmSync(dir, { recursive: true, force: true });
