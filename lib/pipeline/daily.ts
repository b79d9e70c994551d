import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type winston from 'winston';
import type { Project } from '../dag/project.js';
import { withConfig } from '../dag/project.js';
import { selectInstances } from '../dag/plan.js';
import { defaultConcurrency, type RunOptions, type RunSummary } from '../dag/runner.js';
import { WorkerPool } from '../dag/workerPool.js';
import { UserError } from '../dag/errors.js';
import type { BarChange } from './barChange.js';
import { addTradingDays, previousTradingDay } from '../core/calendar.js';
import type { Settings } from '../core/settings.js';
import { marketSymbols } from '../core/symbols.js';
import { instanceId } from '../dag/instanceId.js';
import { stringColumn } from '../io/table.js';
import { acquireRunLock } from '../dag/runLock.js';
import { interruption } from '../dag/interrupt.js';
import { isReadOnlyError } from '../dag/readOnlyRun.js';
import { assess } from '../dag/assess.js';
import { taskModulePath } from '../dag/loadTask.js';
import type { RunCache } from '../dag/store/runCache.js';

export interface DailyOptions {
  pool?: WorkerPool;
  /** Why the state folder cannot be written, when it cannot (see runPlan's readOnly). */
  readOnly?: unknown;
  since?: string;
  extend?: number;
  retrain?: boolean;
  concurrency?: number;
  dryRun?: boolean;
  json?: boolean;
  /** Let tasks replace output files dag has no record of writing (`--overwrite`). */
  overwrite?: boolean;
  logger: winston.Logger;
  command: string;
  /** The cache stores of this run (none: --no-cache). */
  runCache?: RunCache;
}

type RunPlan = (project: Project, opts: RunOptions) => Promise<RunSummary>;

const TIME_INDEXED = ['features', 'signals', 'predict', 'meta'];
/** The nodes that fit models and assemble their registry: daily mode keeps the trained models. */
const TRAINING = ['train', 'registry'];

/**
 * `dag run daily`: append the new bars and recompute only what they touch. Raw data and
 * preprocessing run as usual (content-hashed); then every per-ticker time-indexed node whose
 * inputs changed recomputes only rows from its ticker's first new date (minus its declared
 * look-back), the regime engine continues its forward filter, and portfolio-level nodes
 * (positions, backtest, latest.json) are rebuilt from the updated per-ticker artifacts. A
 * restated bar (a changed existing row) falls back to a full rebuild of that ticker's chain.
 * Models are not retrained unless --retrain.
 */
export async function runDaily(project: Project, opts: DailyOptions, runPlan: RunPlan): Promise<RunSummary> {
  const explicit = opts.since ? resolveSince(opts.since) : undefined;
  // one lock across both phases: no other run may slip in between
  let release = () => undefined as void;
  let readOnly: unknown;
  try {
    if (!opts.dryRun) release = acquireRunLock(project.stateDir, opts.command);
  } catch (err) {
    if (!isReadOnlyError(err)) throw err;
    readOnly = err; // each phase then runs only if nothing needs a run (runPlan's readOnly)
  }
  // one pool for both phases: workers start (and load the task modules) once
  const concurrency = Math.max(1, opts.concurrency ?? dailyWorkers(project.plan.tickers.length));
  const pool = opts.pool ?? new WorkerPool(concurrency);
  pool.resize(concurrency);
  try {
    return await daily(project, { ...opts, concurrency, pool, readOnly }, runPlan, explicit);
  } finally {
    await pool.close();
    release();
  }
}

/**
 * Workers for a daily run when --concurrency is not given. Each worker compiles and warms up
 * every task's code (a few hundred ms of CPU), which a small universe's daily work does not pay
 * back: one new day took 0.96 s with one worker against 1.06 s with two for 3 tickers, 1.42 s
 * against 1.57 s for 20, and 3.9 s against 3.7 s for 80 (bench/daily.ts, 2 cores).
 */
export function dailyWorkers(tickers: number): number {
  return Math.min(defaultConcurrency(), Math.max(1, Math.floor(tickers / 40)));
}

async function daily(project: Project, opts: DailyOptions, runPlan: RunPlan, explicit: string | undefined): Promise<RunSummary> {
  const started = performance.now();
  const { logger } = opts;
  if (!opts.retrain) requireModels(project, project.config as Settings);
  const skipTrain = !opts.retrain;
  const select = (p: Project) => {
    const dataIds = selectInstances(p.plan, ['processed']);
    const ids = selectInstances(p.plan, p.dag.spec.targets.daily ?? ['latest'])
      .filter((id) => !dataIds.includes(id) && !(skipTrain && TRAINING.includes(p.plan.instances.get(id)!.node.id)));
    return { dataIds, ids };
  };
  let { dataIds, ids } = select(project);
  if (!opts.dryRun && (opts.extend || explicit || dataIds.some((id) => assess(project, project.plan.instances.get(id)!).state !== 'fresh'))) {
    warmWorkers(project, [...dataIds, ...ids], opts.pool!, opts.concurrency ?? 1);
  }
  if (opts.extend) {
    project = extendSample(project, opts.extend, logger);
    ({ dataIds, ids } = select(project));
  }
  const cfg = project.config as Settings;

  const common = { concurrency: opts.concurrency, logger, progress: !opts.json, command: opts.command, dryRun: opts.dryRun, lockHeld: true, pool: opts.pool, readOnly: opts.readOnly, overwrite: opts.overwrite, cache: opts.runCache };
  const phaseA = await runPlan(project, { ...common, target: 'daily', ids: dataIds });
  // a signal during the data layer: the rest must not start (the caller exits 130/143)
  if (phaseA.failed > 0 || opts.dryRun || interruption()) return phaseA;

  // each processed instance that ran reported how its bars changed; one that did not run has none
  const reports = new Map(phaseA.instances.filter((i) => i.node === 'processed' && i.report).map((i) => [i.ticker, i.report as BarChange & { last?: string }]));
  // bars restored from the cache changed in a way nobody measured: that ticker's chain is rebuilt in full
  for (const i of phaseA.instances) if (i.node === 'processed' && i.action === 'restored') reports.set(i.ticker, { full: true });
  const changes = new Map<string, BarChange>();
  let lastDate: string | undefined;
  // every symbol with bars: the tickers, and the benchmark when it is not traded (its own processed instance)
  for (const t of marketSymbols(project.plan.tickers, cfg.benchmark)) {
    const { last, ...change } = reports.get(t) ?? {};
    if (last && (!lastDate || last > lastDate)) lastDate = last;
    if (change.restated) logger.warn(`${t}: restated bar on ${change.restated} (an existing row changed): rebuilding ${t}'s chain in full`);
    if (explicit && !change.full && !change.restated) change.since = change.since && change.since < explicit ? change.since : explicit;
    changes.set(t, change);
  }
  if (explicit) await checkSince(project, opts.since!, explicit);
  const bench = changes.get(cfg.benchmark)!;
  if (bench.restated || bench.full) {
    logger.warn(`the benchmark ${cfg.benchmark} was rebuilt in full: every ticker's features (relative strength) and the regimes are rebuilt in full`);
    for (const c of changes.values()) c.full = true;
  }

  const since = new Map<string, string>();
  const forceIds = new Set<string>();
  for (const [t, c] of changes) {
    if (c.full || c.restated || !c.since) continue;
    for (const node of TIME_INDEXED) {
      since.set(instanceId(node, t), c.since);
      if (explicit) forceIds.add(instanceId(node, t));
    }
  }
  if (bench.since && !bench.full && !bench.restated) since.set('regime', bench.since);
  // positions and the backtest: when every ticker only gained rows, their inputs changed from the
  // earliest new date on (positions recompute from there; the backtest keeps its results when
  // that date is after its window)
  const appended = [...changes.values()];
  if (appended.every((c) => !c.full && !c.restated) && appended.some((c) => c.since)) {
    const first = appended.reduce((m, c) => (c.since && c.since < m ? c.since : m), '9999-12-31');
    for (const id of ['positions', 'backtest']) {
      since.set(id, first);
      if (explicit) forceIds.add(id);
    }
  }
  if (skipTrain) warnIfRefitDue(project, cfg, lastDate, logger);
  const phaseB = await runPlan(project, { ...common, target: 'daily', ids, since, forceIds });
  const instances = [...phaseA.instances, ...phaseB.instances];
  return {
    target: 'daily',
    executed: phaseA.executed + phaseB.executed,
    restored: phaseA.restored + phaseB.restored,
    skipped: phaseA.skipped + phaseB.skipped,
    failed: phaseA.failed + phaseB.failed,
    durationMs: Math.round(performance.now() - started),
    instances,
  };
}

/**
 * New bars: nearly every task will run, so the workers load the task modules now, while the
 * project opens and the sample runs. Per-ticker tasks run on every worker; a single-instance task
 * runs on one, so with several workers loading it in all would be waste. In-process tasks run
 * in the main thread and are left out, and so is the report: it renders only when the backtest
 * changed, and loading ECharts costs more than most daily runs.
 */
function warmWorkers(project: Project, ids: string[], pool: WorkerPool, workers: number): void {
  const nodes = [...new Set(ids.map((id) => project.plan.instances.get(id)!.node))]
    .filter((n) => !n.in_process && n.id !== 'report' && (n.per_ticker || workers === 1));
  pool.warm(nodes.map((n) => taskModulePath(project.dag.root, project.dag.spec.compiled_dir, n.task)));
}

/**
 * `--since` must fall within the bars the data layer now holds: after every ticker's last bar
 * nothing would be recomputed (the targets would silently stay as they were), and before every
 * ticker's first bar it asks for a full rebuild, which is `dag run backtest --force`.
 */
async function checkSince(project: Project, given: string, since: string): Promise<void> {
  const { ParquetFile } = await import('../io/parquet.js');
  let first = '9999-12-31';
  let last = '';
  for (const t of project.plan.tickers) {
    const path = project.plan.instances.get(instanceId('processed', t))!.outputs.find((p) => p.endsWith('.parquet'))!;
    const file = ParquetFile.open(readFileSync(project.abs(path)), path);
    if (file.length === 0) continue;
    const dates = stringColumn(await file.read(['date']), 'date', path);
    if (dates[0] < first) first = dates[0];
    if (dates[dates.length - 1] > last) last = dates[dates.length - 1];
  }
  const shown = given === since ? since : `${given} (${since})`;
  if (since > last) throw new UserError(`--since ${shown}: after the last bar of every ticker (${first} .. ${last}), so nothing would be recomputed`);
  if (since < first) throw new UserError(`--since ${shown}: before the first bar of every ticker (${first} .. ${last}); for a full rebuild run \`dag run backtest --force\``);
}

/** `yesterday`, `today` or an ISO date, on the pipeline's trading calendar. */
export function resolveSince(value: string, today = new Date().toISOString().slice(0, 10)): string {
  if (value === 'today') return today;
  if (value === 'yesterday') return previousTradingDay(today);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return value;
  throw new UserError(`--since: expected yesterday, today or a date YYYY-MM-DD, got '${value}'`);
}

function requireModels(project: Project, cfg: Settings): void {
  const registry = project.abs('artifacts/models/ml/models.json');
  if (!existsSync(registry)) {
    throw new UserError(
      `No ML model found for horizon=${cfg.ml.horizons[0]}, ticker=${cfg.tickers[0]}, model=${cfg.ml.model_name} ` +
        '(daily mode does not train models: run `dag run backtest` first, or pass --retrain)',
    );
  }
}

/** Daily mode keeps the last trained model; say so when the walk-forward schedule wants a new one. */
function warnIfRefitDue(project: Project, cfg: Settings, lastDate: string | undefined, logger: winston.Logger): void {
  const registry = JSON.parse(readFileSync(project.abs('artifacts/models/ml/models.json'), 'utf8')) as { models: { predictFirst: string }[] };
  const lastFold = registry.models.reduce((m, x) => (x.predictFirst > m ? x.predictFirst : m), '');
  if (!lastFold || !lastDate) return;
  const due = addTradingDays(lastFold, cfg.ml.walk_forward.refit_every);
  if (lastDate >= due) {
    logger.warn(`a walk-forward model refit was due on ${due} (ml.walk_forward.refit_every = ${cfg.ml.walk_forward.refit_every}); daily mode keeps predicting with the model first used on ${lastFold}: run \`dag run daily --retrain\` or \`dag run backtest\` to refit`);
  }
}

/** Append n trading days to the sample market by raising data.sample.extra_days in the settings file. */
function extendSample(project: Project, n: number, logger: winston.Logger): Project {
  const cfg = project.config as Settings;
  if (cfg.data.source !== 'sample') throw new UserError('--extend only applies to the sample market (data.source: sample)');
  const doc = parseDocument(readFileSync(project.configFile, 'utf8'));
  const next = cfg.data.sample.extra_days + n;
  doc.setIn(['data', 'sample', 'extra_days'], next);
  writeFileSync(project.configFile, doc.toString());
  logger.info(`extended the sample market by ${n} trading day(s): data.sample.extra_days = ${next} in ${project.configFile}`);
  // the file now says what this config says: no need to read and validate it again
  return withConfig(project, { ...cfg, data: { ...cfg.data, sample: { ...cfg.data.sample, extra_days: next } } });
}
