import PQueue from 'p-queue';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type winston from 'winston';
import type { Project } from './project.js';
import type { Instance } from './plan.js';
import { assess, assessAll } from './assess.js';
import { cacheKey } from './fingerprint.js';
import { TaskContext, type TaskSpec } from './context.js';
import { runTask, taskModulePath } from './loadTask.js';
import { WorkerPool } from './workerPool.js';
import { acquireRunLock } from './runLock.js';
import { createProgress } from './progress.js';
import { getKey } from './template.js';
import { Ledger, LEDGER_FILE } from './ledger.js';
import { refusal } from './ownership.js';
import type { InstanceRecord } from './state.js';
import { litterDirs, lockLeftBehind, removeLitter } from './litter.js';
import { WriteError } from '../io/atomic.js';

export type Action = 'ran' | 'skipped' | 'failed' | 'blocked' | 'would-run';

export interface InstanceOutcome {
  node: string;
  ticker: string | null;
  action: Action;
  ms: number;
  reasons: string[];
  /** What the task reported (TaskContext.report), when it ran and reported something. */
  report?: Record<string, unknown>;
}

export interface RunSummary {
  target: string;
  executed: number;
  skipped: number;
  failed: number;
  durationMs: number;
  instances: InstanceOutcome[];
}

export interface RunOptions {
  target: string;
  ids: string[];
  force?: boolean;
  /** Instances to rerun even when fresh (in addition to `force` for all). */
  forceIds?: Set<string>;
  dryRun?: boolean;
  keepGoing?: boolean;
  concurrency?: number;
  /**
   * Incremental mode: instance id -> first date to recompute. Listed instances get a task
   * context in incremental mode with that `since`; the others run in full mode when stale.
   */
  since?: Map<string, string>;
  logger: winston.Logger;
  progress?: boolean;
  command: string;
  /** The caller already holds the run lock (a target made of several runs, like daily). */
  lockHeld?: boolean;
  /** A worker pool the caller shares across several runs (and closes itself). */
  pool?: WorkerPool;
  /** Let tasks replace output files dag has no record of writing (docs/reliability.md, rule 1). */
  overwrite?: boolean;
}

export function defaultConcurrency(): number {
  return availableParallelism();
}

export async function runPlan(project: Project, opts: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  if (opts.dryRun) return dryRun(project, opts, started);
  // a lock still there before we take it means the last run may have died with files staged
  const killedBefore = opts.lockHeld || lockLeftBehind(project.stateDir);
  const release = opts.lockHeld ? () => undefined : acquireRunLock(project.stateDir, opts.command);
  for (const path of removeLitter(litterDirs(project, killedBefore))) opts.logger.debug(`removed ${path} (left by a killed run)`);
  const concurrency = Math.max(1, opts.concurrency ?? defaultConcurrency());
  const pool = opts.pool ?? new WorkerPool(concurrency);
  const outcomes = new Map<string, InstanceOutcome>();
  const { logger } = opts;
  const progress = createProgress(opts.ids.length, opts.progress ?? true);
  const selected = new Set(opts.ids);
  const dependents = new Map<string, string[]>();
  const pending = new Map<string, number>();
  for (const id of opts.ids) {
    const deps = project.plan.instances.get(id)!.deps.filter((d) => selected.has(d));
    pending.set(id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), id]);
  }
  const queue = new PQueue({ concurrency });
  const ranFull = new Set<string>();
  let stopping = false;
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

  const schedule = (id: string) => {
    queue.add(async () => {
      if (stopping) return;
      const inst = project.plan.instances.get(id)!;
      const a = assess(project, inst);
      const forced = opts.force || (opts.forceIds?.has(id) ?? false);
      if (a.state === 'fresh' && !forced) {
        logger.debug(`skip ${id} (cached)`, { event: 'skip', instance: id, cache: 'hit' });
        finish(id, { ...outcomeBase(inst), action: 'skipped', reasons: [] });
        return;
      }
      // incremental only on top of outputs made by the same code and params, and only if no
      // upstream instance of this run rewrote its history (it ran in full)
      const incremental = a.inputsOnly && !inst.deps.some((d) => ranFull.has(d));
      const since = incremental ? opts.since?.get(id) : undefined;
      if (!since) ranFull.add(id);
      const reasons = [...(forced && a.state === 'fresh' ? ['forced'] : a.reasons), ...(since ? [`incremental from ${since}`] : [])];
      const refused = opts.overwrite ? undefined : refusal(project, inst, loadLedger);
      if (refused) {
        // nothing touched and nothing recorded: the previous record (if any) still describes the files
        logger.error(`failed ${id}: ${refused}`, { event: 'fail', instance: id, error: refused });
        if (!opts.keepGoing) stop();
        finish(id, { ...outcomeBase(inst), action: 'failed', reasons: [refused] });
        return;
      }
      logger.debug(`start ${id}: ${reasons.join('; ')}`, { event: 'start', instance: id, cache: 'miss', reasons });
      const t0 = performance.now();
      const spec = taskSpec(project, inst, since);
      const modulePath = taskModulePath(project.dag.root, project.dag.spec.compiled_dir, inst.node.task);
      let result: { ok: boolean; error?: string; errorName?: string; logs: string[]; report?: Record<string, unknown> };
      if (inst.node.in_process) {
        const ctx = new TaskContext(spec);
        try {
          await runTask(modulePath, ctx);
          result = { ok: true, logs: ctx.logs, report: ctx.reported };
        } catch (err) {
          result = { ok: false, logs: ctx.logs, error: (err as Error).message, errorName: (err as Error).name };
        }
      } else result = await pool.run(modulePath, spec);
      const ms = Math.round(performance.now() - t0);
      for (const line of result.logs) logger.info(`  ${id}: ${line}`);
      if (result.ok) {
        const outputs: Record<string, string> = {};
        for (const out of inst.outputs) {
          project.memo.invalidate(project.abs(out));
          outputs[out] = project.memo.hash(project.abs(out))!;
        }
        const inputLines: Record<string, number> = {};
        for (const ref of inst.inputs.filter((r) => r.path.endsWith('.csv'))) {
          const lines = project.memo.stamp(project.abs(ref.path))?.lines;
          if (lines !== undefined) inputLines[ref.path] = lines;
        }
        if (!record(id, { status: 'ok', key: cacheKey(a.parts), parts: a.parts, outputs, ms, ...(Object.keys(inputLines).length ? { inputLines } : {}) }, inst)) {
          // the outputs are in place (and in the ledger) but unrecorded: the next run redoes this instance
          finish(id, { ...outcomeBase(inst), action: 'failed', ms, reasons: [writeFailed!.message] });
          return;
        }
        logger.info(`ran ${id} (${ms} ms)`, { event: 'end', instance: id, ms, cache: 'miss', reasons });
        finish(id, { ...outcomeBase(inst), action: 'ran', ms, reasons, ...(result.report ? { report: result.report } : {}) });
      } else if (result.errorName === 'WriteError') {
        // disk full (or an I/O error) while writing: the task's staged files are gone, nothing is
        // recorded, and the run stops, since the next task would hit the same wall
        writeFailed ??= new WriteError(result.error ?? 'write failed', '');
        logger.error(`failed ${id}: ${result.error}`, { event: 'fail', instance: id, ms, error: result.error });
        stop();
        finish(id, { ...outcomeBase(inst), action: 'failed', ms, reasons: [result.error ?? 'write failed'] });
      } else {
        record(id, { status: 'failed', key: cacheKey(a.parts), parts: a.parts, outputs: {}, ms, error: result.error }, inst);
        logger.error(`failed ${id}: ${result.error}`, { event: 'fail', instance: id, ms, error: result.error });
        if (!opts.keepGoing) stop();
        finish(id, { ...outcomeBase(inst), action: 'failed', ms, reasons: [result.error ?? 'failed'] });
      }
    });
  };

  try {
    // collect first: a job may run (and schedule its dependants) synchronously inside queue.add
    const ready = opts.ids.filter((id) => pending.get(id) === 0);
    for (const id of ready) schedule(id);
    await queue.onIdle();
  } finally {
    progress.stop();
    if (!opts.pool) await pool.close();
    // each state write on its own: a full disk on one must not skip the others or the lock's release
    const ranAny = [...outcomes.values()].some((o) => o.action === 'ran');
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
  const instances = opts.ids.map((id) => outcomes.get(id) ?? { ...outcomeBase(project.plan.instances.get(id)!), action: 'blocked' as const, reasons: ['not run: the run stopped after a failure'] });
  return summarize(opts.target, instances, started);
}

function outcomeBase(inst: Instance): Omit<InstanceOutcome, 'action' | 'reasons'> {
  return { node: inst.node.id, ticker: inst.ticker ?? null, ms: 0 };
}

function summarize(target: string, instances: InstanceOutcome[], started: number): RunSummary {
  const count = (a: Action) => instances.filter((i) => i.action === a).length;
  return {
    target,
    executed: count('ran') + count('would-run'),
    skipped: count('skipped'),
    failed: count('failed'),
    durationMs: Math.round(performance.now() - started),
    instances,
  };
}

function dryRun(project: Project, opts: RunOptions, started: number): RunSummary {
  const assessments = assessAll(project, opts.ids);
  const instances = opts.ids.map((id) => {
    const a = assessments.get(id)!;
    const inst = project.plan.instances.get(id)!;
    const run = a.state !== 'fresh' || opts.force || (opts.forceIds?.has(id) ?? false);
    return { ...outcomeBase(inst), action: run ? 'would-run' as const : 'skipped' as const, reasons: run && a.state === 'fresh' ? ['forced'] : a.reasons };
  });
  return summarize(opts.target, instances, started);
}

export function taskSpec(project: Project, inst: Instance, since?: string): TaskSpec {
  const params: Record<string, unknown> = {};
  for (const key of inst.node.params) setKey(params, key, getKey(project.config, key));
  return {
    workdir: project.workdir,
    node: inst.node.id,
    ticker: inst.ticker,
    tickers: project.plan.tickers,
    params,
    paramKeys: inst.node.params,
    inputs: inst.inputs,
    outputs: inst.outputs,
    outputTickers: inst.outputTickers,
    mode: since ? 'incremental' : 'full',
    since,
    lookback: inst.node.lookback,
    ledger: join(project.stateDir, LEDGER_FILE),
  };
}

function setKey(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}

export function runLogPath(project: Project): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(project.stateDir, 'runs', `${stamp}-${process.pid}.jsonl`);
}
