import PQueue from 'p-queue';
import { availableParallelism, userInfo } from 'node:os';
import { join } from 'node:path';
import type winston from 'winston';
import type { Project } from './project.js';
import type { Instance } from './plan.js';
import { assess, assessAll, type Assessment } from './assess.js';
import { cacheKey } from './fingerprint.js';
import type { TaskSpec } from './context.js';
import { taskModulePath } from './loadTask.js';
import { WorkerPool } from './workerPool.js';
import type { Executor } from './executor/executor.js';
import { LocalExecutor } from './executor/local.js';
import { acquireRunLock } from './runLock.js';
import { createProgress } from './progress.js';
import { pickKeys } from './template.js';
import { ABORTED, interruptScope, interruption } from './interrupt.js';
import { removeStagedOutputs } from './stagedOutputs.js';
import { isReadOnlyError, readOnlyRun } from './readOnlyRun.js';
import { oneLine, stackOf } from './errorText.js';
import { appendLedger, Ledger, LEDGER_FILE, ledgerPath } from './ledger.js';
import { refusal } from './ownership.js';
import type { InstanceRecord } from './state.js';
import { litterDirs, lockLeftBehind, removeLitter, storeLitterDirs } from './litter.js';
import { WriteError } from '../io/atomic.js';
import { RemoteRequiredError, type RunCache } from './store/runCache.js';
import { predictRestores, withRestoreNote } from './store/predict.js';
import { consoleShowsDebug, debugEntry } from './log.js';
import { changeOf, forcedBySince, incrementalSince, outputBase, type Change } from './incremental/changes.js';

/** Cache hits per run-log line (the run log's `batch` field). */
const SKIP_BATCH = 500;

/** Why a restore-only run (`dag cache pull`) did not bring an instance back. */
export const NOT_IN_A_STORE = 'not in the local store or the remote';

export type Action = 'ran' | 'restored' | 'skipped' | 'failed' | 'blocked' | 'would-run';

export interface InstanceOutcome {
  node: string;
  ticker: string | null;
  /** Key of the element of a list fan-out (`fanout:` in the DAG file). */
  item?: string;
  action: Action;
  ms: number;
  reasons: string[];
  /** What the task reported (TaskContext.report), when it ran and reported something. */
  report?: Record<string, unknown>;
  /** Cache key of a restored instance (and where it came from). */
  key?: string;
  from?: 'local' | 'remote';
  /** The `dag worker` that ran it (bullmq executor). */
  worker?: string;
}

export interface RunSummary {
  target: string;
  executed: number;
  restored: number;
  skipped: number;
  failed: number;
  durationMs: number;
  instances: InstanceOutcome[];
}

export interface RunOptions {
  target: string;
  ids: string[];
  force?: boolean;
  dryRun?: boolean;
  keepGoing?: boolean;
  concurrency?: number;
  /**
   * Incremental mode (docs/orchestrator.md, "Incremental runs"): nodes declared `incremental`
   * run from their first changed date, found from how their upstream instances changed in this
   * run (`changes`, filled as instances finish; a caller running several phases shares it).
   * `forceSince` also recomputes row-wise and earliest-change nodes from that date.
   */
  incremental?: { changes: Map<string, Change>; forceSince?: string };
  logger: winston.Logger;
  progress?: boolean;
  command: string;
  /** The caller already holds the run lock (a target made of several runs, like daily). */
  lockHeld?: boolean;
  /** A worker pool the caller shares across several runs (and closes itself). */
  pool?: WorkerPool;
  /** Let tasks replace output files dag has no record of writing (docs/reliability.md, rule 1). */
  overwrite?: boolean;
  /** Why the state folder cannot be written (the caller holding the lock found out): see readOnlyRun. */
  readOnly?: unknown;
  /** Where instances run (default: a local executor over `pool` or a pool of its own). */
  executor?: Executor;
  /** The stores to restore from and keep results in (none: the run neither reads nor writes one). */
  cache?: RunCache;
  /** Restore what the stores have and run nothing (`dag cache pull`). */
  restoreOnly?: boolean;
  /** Told the cache key of an instance that failed (runs sharing a store stop waiting for it). */
  onFailedKey?: (key: string) => void;
}

/** The user name for the run log; a uid without a passwd entry (some containers) is logged as `uid <n>`. */
function whoStarted(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

export function defaultConcurrency(): number {
  return availableParallelism();
}

export async function runPlan(project: Project, opts: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  if (opts.dryRun) return dryRun(project, opts, started);
  // a lock still there before we take it means the last run may have died with files staged
  const killedBefore = opts.lockHeld || lockLeftBehind(project.stateDir);
  let release: () => void;
  try {
    if (opts.readOnly) throw opts.readOnly;
    release = opts.lockHeld ? () => undefined : acquireRunLock(project.stateDir, opts.command);
  } catch (err) {
    if (!isReadOnlyError(err)) throw err;
    return readOnlyRun(project, dryRun(project, opts, started), err, opts.logger);
  }
  const litter = [...litterDirs(project, killedBefore), ...(killedBefore && opts.cache ? storeLitterDirs(opts.cache.local.dir) : [])];
  for (const path of removeLitter(litter)) opts.logger.debug(`removed ${path} (left by a killed run)`);
  const concurrency = Math.max(1, opts.concurrency ?? defaultConcurrency());
  const executor = opts.executor ?? new LocalExecutor(opts.pool ?? new WorkerPool(concurrency), !opts.pool);
  const outcomes = new Map<string, InstanceOutcome>();
  const { logger } = opts;
  const progress = createProgress(opts.ids.length, opts.progress ?? true);
  const selected = new Set(opts.ids);
  const dependents = new Map<string, string[]>();
  const pending = new Map<string, number>();
  for (const id of opts.ids) {
    const deps = project.plan.instances.get(id)!.deps.filter((d) => selected.has(d));
    pending.set(id, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  const queue = new PQueue({ concurrency });
  // run logs are read by `dag ui`: who started what, and how many instances it covers
  logger.debug(`run ${opts.target}: ${opts.ids.length} instances`, { event: 'run-start', target: opts.target, command: opts.command, user: whoStarted(), pid: process.pid, instances: opts.ids.length, concurrency });
  const changes = opts.incremental?.changes ?? new Map<string, Change>();
  const forceSince = opts.force ? undefined : opts.incremental?.forceSince;
  let stopping = false;
  // cache hits reach the run log in batches (one line names many): a line per instance cost
  // ~8% of a 500-ticker no-op run; with --verbose the console shows each one
  const skips: string[] = [];
  const flushSkips = () => {
    if (skips.length) debugEntry(logger, `skip ${skips.length} cached instance(s)`, { event: 'skip', action: 'skipped', cache: 'hit', batch: skips.splice(0) });
  };
  // a write that failed for lack of space (or I/O): the run stops and the CLI reports it
  let writeFailed: WriteError | undefined;
  let ledger: Ledger | undefined;
  const loadLedger = () => {
    if (!ledger) {
      ledger = Ledger.in(project.stateDir);
      for (const w of ledger.warnings) logger.warn(w);
    }
    return ledger;
  };
  const stop = () => {
    stopping = true;
    queue.clear();
  };
  /** Record a completion; a journal that cannot be written (full disk) stops the run with that error. */
  const record = (id: string, rec: InstanceRecord, inst: Instance): boolean => {
    try {
      project.state.record(id, rec, project.fingerprinter.node(inst.node).parts);
      return true;
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      writeFailed ??= err;
      stop();
      return false;
    }
  };
  // a signal: schedule nothing more, then give up (terminate) what still runs after a grace period
  const signals = interruptScope(stop, () => (executor instanceof LocalExecutor ? executor.pool.close() : executor.close()));

  const finish = (id: string, outcome: InstanceOutcome) => {
    outcomes.set(id, outcome);
    progress.tick(id);
    for (const next of dependents.get(id) ?? []) {
      if (outcome.action === 'failed' || outcome.action === 'blocked') {
        if (!outcomes.has(next)) finish(next, { ...outcomeBase(project.plan.instances.get(next)!), action: 'blocked', reasons: [`upstream failed: ${id}`] });
        continue;
      }
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) schedule(next);
    }
  };

  // whatever goes wrong around a task (an unreadable input while assessing it, a state file that
  // cannot be written) fails that instance with one line, as a task's own error would
  const runnerFailure = (id: string, err: unknown) => {
    const message = oneLine(err, project.workdir);
    logger.error(`failed ${id}: ${message}`, { event: 'fail', action: 'failed', instance: id, error: message, stack: stackOf(err) });
    if (!opts.keepGoing) stop();
    if (!outcomes.has(id)) finish(id, { ...outcomeBase(project.plan.instances.get(id)!), action: 'failed', reasons: [message] });
  };

  const schedule = (id: string) => {
    queue.add(async () => {
      if (stopping) return;
      const inst = project.plan.instances.get(id)!;
      const a = assess(project, inst);
      const forced = opts.force || (forceSince !== undefined && forcedBySince(inst) && a.inputsOnly);
      if (a.state === 'fresh' && !forced) {
        if (consoleShowsDebug(logger)) logger.debug(`skip ${id} (cached)`, { event: 'skip', action: 'skipped', instance: id, cache: 'hit' });
        else if (skips.push(id) >= SKIP_BATCH) flushSkips();
        changes.set(id, { kind: 'none' });
        finish(id, { ...outcomeBase(inst), action: 'skipped', reasons: [] });
        return;
      }
      // a restore replaces files as a run does: never one dag did not write (docs/reliability.md, rule 1)
      const refused = opts.overwrite ? undefined : refusal(project, inst, loadLedger);
      if (refused) {
        // nothing touched and nothing recorded: the previous record (if any) still describes the files
        fail(id, inst, a, cacheKey(a.parts), 0, refused, false);
        return;
      }
      const key = cacheKey(a.parts);
      // a key fixes the output bytes whatever the mode (incremental runs equal full runs by
      // design), so a stale instance in the cache is restored; --force recomputes
      if (opts.cache && a.state !== 'fresh' && !opts.force) {
        let hit;
        try {
          hit = await opts.cache.restore({ id, outputs: inst.outputs, abs: project.abs, memo: project.memo, beforePlace: ledgerRestored }, key);
        } catch (err) {
          if (!(err instanceof RemoteRequiredError)) throw err;
          fail(id, inst, a, key, 0, err.message);
          return;
        }
        if (hit) {
          // restored outputs rewrote history as far as downstream incremental runs can tell
          changes.set(id, { kind: 'full' });
          if (!recordOk(inst, a, key, hit.outputs, 0)) return;
          logger.info(`restored ${id} from the ${hit.from === 'local' ? 'local store' : `remote ${opts.cache.remoteUrl}`}`, { event: 'restore', action: 'restored', instance: id, key, from: hit.from, reasons: a.reasons });
          // a task's report describes how its output changed from the one before; a restore has none
          finish(id, { ...outcomeBase(inst), action: 'restored', reasons: a.reasons, key, from: hit.from });
          return;
        }
      }
      if (opts.restoreOnly) {
        finish(id, { ...outcomeBase(inst), action: 'blocked', reasons: [...a.reasons, NOT_IN_A_STORE] });
        return;
      }
      // incremental only on top of outputs made by the same code and params, from the first
      // date its changed inputs changed (incremental/changes.ts)
      const since = opts.incremental && !opts.force ? incrementalSince(project, inst, a, changes, forceSince) : undefined;
      const base = opts.incremental ? outputBase(project, inst) : {};
      const reasons = [...(forced && a.state === 'fresh' ? ['forced'] : a.reasons), ...(since ? [`incremental from ${since}`] : [])];
      logger.debug(`start ${id}: ${reasons.join('; ')}`, { event: 'start', instance: id, cache: 'miss', reasons });
      const t0 = performance.now();
      const spec = taskSpec(project, inst, since, a.parts.inputs);
      const modulePath = taskModulePath(project.dag.root, project.dag.spec.compiled_dir, inst.node.task);
      const result = await Promise.race([executor.run({ project, inst, spec, modulePath, key, parts: a.parts, nodeParts: project.fingerprinter.node(inst.node).parts }), signals.aborted]);
      if (result === ABORTED) {
        // nothing recorded: its previous record and outputs stay as they were
        removeStagedOutputs(inst.outputs.map((o) => project.abs(o)));
        logger.warn(`aborted ${id}: interrupted by ${interruption()}`, { event: 'abort', instance: id });
        outcomes.set(id, { ...outcomeBase(inst), action: 'blocked', reasons: [`aborted: interrupted by ${interruption()}`] });
        return;
      }
      const ms = Math.round(performance.now() - t0);
      const worker = result.worker ?? (inst.node.in_process ? 'main' : result.lane);
      for (const line of result.logs) logger.info(`  ${id}: ${line}`);
      if (result.ok) {
        const outputs: Record<string, string> = {};
        for (const out of inst.outputs) {
          const abs = project.abs(out);
          const written = result.written?.[abs];
          // the task hashed what it wrote; anything else (a directory, another size on disk) is read
          if (!(written && project.memo.remember(abs, written.hash, written.size))) project.memo.invalidate(abs);
          outputs[out] = project.memo.hash(abs)!;
        }
        // the outputs are in place (and in the ledger); unrecorded, the next run redoes this instance
        if (!recordOk(inst, a, key, outputs, ms)) return;
        logger.info(`ran ${id} (${ms} ms)${result.worker ? ` on ${result.worker}` : ''}`, { event: 'end', action: 'ran', instance: id, ms, worker, cache: 'miss', reasons });
        try {
          await opts.cache?.save({ id, outputs: inst.outputs, abs: project.abs, memo: project.memo }, { key, instance: id, outputs, ms, ...(result.report ? { report: result.report } : {}) });
        } catch (err) {
          if (!(err instanceof RemoteRequiredError)) throw err;
          // the outputs are good and recorded; only the upload the caller insisted on failed
          fail(id, inst, a, key, ms, `outputs made but not uploaded: ${err.message}`, false);
          return;
        }
        const outcome: InstanceOutcome = { ...outcomeBase(inst), action: 'ran', ms, reasons, ...(result.worker ? { worker: result.worker } : {}), ...(result.report ? { report: result.report } : {}) };
        if (opts.incremental) noteChange(inst, outcome, since, base);
        finish(id, outcome);
      } else if (result.errorName === 'WriteError') {
        // disk full (or an I/O error) while writing: the task's staged files are gone, nothing is
        // recorded, and the run stops, since the next task would hit the same wall
        writeFailed ??= new WriteError(result.error ?? 'write failed', '');
        stop();
        fail(id, inst, a, key, ms, result.error ?? 'write failed', false, worker);
      } else fail(id, inst, a, key, ms, result.error ?? 'failed', true, worker, result.stack);
    }).catch((err: unknown) => runnerFailure(id, err));
  };

  /** How a finished instance changed, for the instances downstream; a restated row is worth a warning. */
  const noteChange = (inst: Instance, outcome: InstanceOutcome, since: string | undefined, base: Record<string, string | null>) => {
    const restated = outcome.report?.restated;
    if (inst.node.incremental?.kind === 'source' && typeof restated === 'string') {
      logger.warn(`${inst.id}: an existing row changed (restated on ${restated}): what depends on it runs in full`, { event: 'restated', instance: inst.id, date: restated });
    }
    changes.set(inst.id, changeOf(inst, outcome, since, base));
  };

  /** Remember a successful (ran or restored) instance; false (and the instance failed) when the journal cannot be written. */
  const recordOk = (inst: Instance, a: Assessment, key: string, outputs: Record<string, string>, ms: number): boolean => {
    const inputLines: Record<string, number> = {};
    const inputSizes: Record<string, number> = {};
    for (const ref of inst.inputs.filter((r) => r.path.endsWith('.csv'))) {
      const stamp = project.memo.stamp(project.abs(ref.path));
      if (stamp?.lines === undefined) continue;
      inputLines[ref.path] = stamp.lines;
      inputSizes[ref.path] = stamp.size;
    }
    if (record(inst.id, { status: 'ok', key, parts: a.parts, outputs, ms, ...(Object.keys(inputLines).length ? { inputLines, inputSizes } : {}) }, inst)) return true;
    finish(inst.id, { ...outcomeBase(inst), action: 'failed', ms, reasons: [writeFailed!.message] });
    return false;
  };

  const fail = (id: string, inst: Instance, a: Assessment, key: string, ms: number, error: string, recordIt = true, worker?: number | string, stack?: string) => {
    if (recordIt) record(id, { status: 'failed', key, parts: a.parts, outputs: {}, ms, error }, inst);
    opts.onFailedKey?.(key);
    const remote = typeof worker === 'string' && worker !== 'main' ? worker : undefined;
    logger.error(`failed ${id}${remote ? ` on ${remote}` : ''}: ${error}`, { event: 'fail', action: 'failed', instance: id, ms, ...(worker !== undefined ? { worker } : {}), error, ...(stack ? { stack } : {}) });
    if (!opts.keepGoing) stop();
    finish(id, { ...outcomeBase(inst), action: 'failed', ms, reasons: [error], ...(remote ? { worker: remote } : {}) });
  };

  /** Restored files join the ledger of files dag wrote before they land, as a task's commit does. */
  const ledgerRestored = (files: { abs: string; hash: string }[]) =>
    appendLedger(join(project.stateDir, LEDGER_FILE), files.map((f) => ({ path: ledgerPath(project.workdir, f.abs), hash: f.hash })));

  try {
    // collect first: a job may run (and schedule its dependants) synchronously inside queue.add
    const ready = opts.ids.filter((id) => pending.get(id) === 0);
    for (const id of ready) schedule(id);
    await queue.onIdle();
  } finally {
    flushSkips();
    signals.dispose();
    progress.stop();
    if (!opts.executor) await executor.close();
    // each state write on its own: a full disk on one must not skip the others or the lock's release
    const ranAny = [...outcomes.values()].some((o) => o.action === 'ran' || o.action === 'restored');
    for (const step of [() => project.memo.save(), () => project.state.compact(), () => ranAny && Ledger.in(project.stateDir).compact()]) {
      try {
        step();
      } catch (err) {
        if (!(err instanceof WriteError)) throw err;
        writeFailed ??= err;
      }
    }
    release();
  }
  if (writeFailed) throw writeFailed;
  const notRun = interruption() ? `not run: interrupted by ${interruption()}` : 'not run: the run stopped after a failure';
  const instances = opts.ids.map((id) => outcomes.get(id) ?? { ...outcomeBase(project.plan.instances.get(id)!), action: 'blocked' as const, reasons: [notRun] });
  const summary = summarize(opts.target, instances, started);
  logger.debug(`run ${opts.target} ended`, { event: 'run-end', target: opts.target, executed: summary.executed, restored: summary.restored, skipped: summary.skipped, failed: summary.failed, durationMs: summary.durationMs });
  return summary;
}

function outcomeBase(inst: Instance): Omit<InstanceOutcome, 'action' | 'reasons'> {
  return { node: inst.node.id, ticker: inst.ticker ?? null, item: inst.item?.key, ms: 0 };
}

function summarize(target: string, instances: InstanceOutcome[], started: number): RunSummary {
  const count = (a: Action) => instances.filter((i) => i.action === a).length;
  return {
    target,
    executed: count('ran') + count('would-run'),
    restored: count('restored'),
    skipped: count('skipped'),
    failed: count('failed'),
    durationMs: Math.round(performance.now() - started),
    instances,
  };
}

function dryRun(project: Project, opts: RunOptions, started: number): RunSummary {
  const assessments = assessAll(project, opts.ids);
  const restorable = opts.cache && !opts.force ? predictRestores(project, opts.ids, assessments, opts.cache) : new Set<string>();
  const instances = opts.ids.map((id) => {
    const a = assessments.get(id)!;
    const inst = project.plan.instances.get(id)!;
    const forceSince = opts.force ? undefined : opts.incremental?.forceSince;
    const run = a.state !== 'fresh' || opts.force || (forceSince !== undefined && forcedBySince(inst) && a.inputsOnly);
    const reasons = run && a.state === 'fresh' ? ['forced'] : restorable.has(id) ? withRestoreNote(a.reasons) : a.reasons;
    return { ...outcomeBase(inst), action: run ? 'would-run' as const : 'skipped' as const, reasons };
  });
  return summarize(opts.target, instances, started);
}

export function taskSpec(project: Project, inst: Instance, since?: string, inputHashes?: TaskSpec['inputHashes']): TaskSpec {
  const params = pickKeys(project.config, inst.node.params);
  return {
    workdir: project.workdir,
    node: inst.node.id,
    ticker: inst.ticker,
    ...(inst.item ? { item: inst.item } : {}),
    tickers: project.plan.tickers,
    params,
    paramKeys: inst.node.params,
    inputs: inst.inputs,
    outputs: inst.outputs,
    outputTickers: inst.outputTickers,
    mode: since ? 'incremental' : 'full',
    since,
    ...(inst.node.incremental ? { incremental: inst.node.incremental.kind } : {}),
    ...(inst.node.incremental?.kind === 'rows' ? { lookback: inst.node.incremental.lookback } : {}),
    ledger: join(project.stateDir, LEDGER_FILE),
    ...(inputHashes ? { inputHashes } : {}),
  };
}

export function runLogPath(project: Project): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(project.stateDir, 'runs', `${stamp}-${process.pid}.jsonl`);
}
