/**
 * Layers 1-3 at scale: the sample market with 500 tickers (T000..T499) plus the benchmark over
 * about 12 years, through the real pipeline (`dag run` in a temp work folder, the repository's
 * pipeline.dag.yaml and compiled tasks). Target: preprocessing + features + signals in <= 60 s wall
 * and <= 2 GiB peak memory on 2 cores.
 *
 * Two runs of the CLI, each under `/usr/bin/time -v` (the dag process runs its tasks in worker
 * threads, so its max RSS covers the workers too): `dag run sample` (generating the raw CSVs,
 * reported apart), then `dag run signals` (processed + features + signals, everything else cached).
 * Per-stage figures come from the run log `artifacts/.dag/runs/*.jsonl` (per-instance ms).
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/features-500.js [tickers] [--keep]`
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DAG_BIN = join(REPO, 'dist/bin/dag.js');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
const BENCHMARK = 'SPY';
// The sample starts 785 trading days (260 rows of feature look-back + 504 of training + 21) before
// backtest.start_date, so this backtest window gives a sample of 2013-01-02 .. 2024-12-31: 12 years.
const START = '2016-02-16';
const END = '2024-12-31';
const TIME = '/usr/bin/time';

const tickers = [...Array.from({ length: N }, (_, i) => `T${String(i).padStart(3, '0')}`), BENCHMARK];
const dir = mkdtempSync(join(tmpdir(), 'bench-features-500-'));
mkdirSync(join(dir, 'config'));
cpSync(join(REPO, 'config/regimes.yaml'), join(dir, 'config/regimes.yaml'));
const settings = parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')) as Record<string, any>;
settings.tickers = tickers;
settings.benchmark = BENCHMARK;
settings.data = { ...settings.data, source: 'sample' };
settings.backtest = { ...settings.backtest, start_date: START, end_date: END };
writeFileSync(join(dir, 'config/settings.yaml'), stringify(settings));

interface Measured {
  wallS: number;
  maxRssKiB: number | null;
  userS: number | null;
  sysS: number | null;
  stdout: string;
}

/** `dag <args>` in the work folder, timed by /usr/bin/time -v when it exists. */
function dag(cliArgs: string[]): Measured {
  const full = [DAG_BIN, ...cliArgs, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml')];
  const useTime = existsSync(TIME);
  const t0 = performance.now();
  const r = useTime
    ? spawnSync(TIME, ['-v', process.execPath, ...full], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, full, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`dag ${cliArgs.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const grab = (re: RegExp): number | null => {
    const m = re.exec(r.stderr);
    return m ? Number(m[1]) : null;
  };
  return {
    wallS,
    maxRssKiB: grab(/Maximum resident set size \(kbytes\): (\d+)/),
    userS: grab(/User time \(seconds\): ([\d.]+)/),
    sysS: grab(/System time \(seconds\): ([\d.]+)/),
    stdout: r.stdout,
  };
}

interface LogEvent {
  time: string;
  event?: string;
  instance?: string;
  ms?: number;
}

/** The events of the newest run log. */
function lastRunLog(): LogEvent[] {
  const runs = join(dir, 'artifacts/.dag/runs');
  const file = readdirSync(runs).filter((f) => f.endsWith('.jsonl')).sort().at(-1)!;
  return readFileSync(join(runs, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LogEvent);
}

const fmtS = (s: number) => `${s.toFixed(2)} s`;
const fmtMiB = (kib: number | null) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);

console.log(`work folder ${dir}; ${tickers.length} tickers (${N} + benchmark ${BENCHMARK}); ${cpus().length} cores`);
const sample = dag(['run', 'sample']);
console.log(`sample (generate raw CSVs): wall ${fmtS(sample.wallS)}, max RSS ${fmtMiB(sample.maxRssKiB)}`);

const run = dag(['run', 'signals']);
const events = lastRunLog();
const rowsOut = tickers.reduce((acc, t) => acc + JSON.parse(readFileSync(join(dir, `artifacts/processed/${t}.dq.json`), 'utf8')).rows_out, 0);
const days = JSON.parse(readFileSync(join(dir, `artifacts/processed/${BENCHMARK}.dq.json`), 'utf8')).rows_out;
const calendarLine = readFileSync(join(dir, `data/raw/${BENCHMARK}_raw.csv`), 'utf8').split('\n');
const firstDay = calendarLine[1]!.slice(0, 10);
const lastDay = calendarLine.filter((l) => l.trim()).at(-1)!.slice(0, 10);

console.log(
  `processed + features + signals (dag run signals): wall ${fmtS(run.wallS)} (target <= 60 s), ` +
    `max RSS ${fmtMiB(run.maxRssKiB)} (target <= 2048 MiB), user ${run.userS ?? 'n/a'} s, sys ${run.sysS ?? 'n/a'} s`,
);
console.log(`rows: ${rowsOut} bars (${days} trading days ${firstDay} .. ${lastDay} x ${tickers.length} tickers)`);
console.log('stage       instances  sum of task ms  stage span (first start .. last end)  rows/s per task-second  rows/s over the span');
for (const node of ['processed', 'features', 'signals']) {
  const mine = events.filter((e) => e.instance?.startsWith(`${node}[`));
  const ends = mine.filter((e) => e.event === 'end');
  const starts = mine.filter((e) => e.event === 'start');
  const sumMs = ends.reduce((a, e) => a + (e.ms ?? 0), 0);
  const t0 = Math.min(...starts.map((e) => Date.parse(e.time)));
  const t1 = Math.max(...ends.map((e) => Date.parse(e.time)));
  const span = (t1 - t0) / 1000;
  console.log(
    `${node.padEnd(11)} ${String(ends.length).padStart(9)}  ${String(sumMs).padStart(14)}  ${fmtS(span).padStart(36)}  ` +
      `${Math.round(rowsOut / (sumMs / 1000)).toLocaleString('en-US').padStart(22)}  ${Math.round(rowsOut / span).toLocaleString('en-US').padStart(20)}`,
  );
}
const summary = run.stdout.trim().split('\n').at(-1);
console.log(`dag: ${summary}`);
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
