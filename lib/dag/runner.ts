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
import { RemoteRequiredError, type RunCache } from './store/runCache.js';
import { predictRestores, withRestoreNote } from './store/predict.js';

export type Action = 'ran' | 'restored' | 'skipped' | 'failed' | 'blocked' | 'would-run';

export interface InstanceOutcome {
  node: string;
  ticker: string | null;
  action: Action;
  ms: number;
  reasons: string[];
  /** What the task reported (TaskContext.report), when it ran and reported something. */
  report?: Record<string, unknown>;
  /** Cache key of a restored instance (and where it came from). */
  key?: string;
  from?: 'local' | 'remote';
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
  /** The stores to restore from and keep results in (none: the run neither reads nor writes one). */
  cache?: RunCache;
  /** Restore what the stores have and run nothing (`dag cache pull`). */
  restoreOnly?: boolean;
  /** Told the cache key of an instance that failed (runs sharing a store stop waiting for it). */
  onFailedKey?: (key: string) => void;
}

export function defaultConcurrency(): number {
  return availableParallelism();
}

export async function runPlan(project: Project, opts: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  if (opts.dryRun) return dryRun(project, opts, started);
  const release = opts.lockHeld ? () => undefined : acquireRunLock(project.stateDir, opts.command);
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
      const key = cacheKey(a.parts);
      // a key fixes the output bytes whatever the mode (incremental runs equal full runs by
      // design), so a stale instance in the cache is restored; --force recomputes
      if (opts.cache && a.state !== 'fresh' && !opts.force) {
        let hit;
        try {
          hit = await opts.cache.restore({ id, outputs: inst.outputs, abs: project.abs, memo: project.memo }, key);
        } catch (err) {
          if (!(err instanceof RemoteRequiredError)) throw err;
          fail(id, inst, a, key, 0, err.message);
          return;
        }
        if (hit) {
          // restored outputs rewrote history as far as downstream incremental runs can tell
          ranFull.add(id);
          recordOk(project, inst, a, key, hit.outputs, 0);
          logger.info(`restored ${id} from the ${hit.from === 'local' ? 'local store' : `remote ${opts.cache.remoteUrl}`}`, { event: 'restore', instance: id, key, from: hit.from, reasons: a.reasons });
          // a task's report describes how its output changed from the one before; a restore has none
          finish(id, { ...outcomeBase(inst), action: 'restored', reasons: a.reasons, key, from: hit.from });
          return;
        }
      }
      if (opts.restoreOnly) {
        finish(id, { ...outcomeBase(inst), action: 'blocked', reasons: [...a.reasons, 'not in the local store or the remote'] });
        return;
      }
      // incremental only on top of outputs made by the same code and params, and only if no
      // upstream instance of this run rewrote its history (it ran in full)
      const incremental = a.inputsOnly && !inst.deps.some((d) => ranFull.has(d));
      const since = incremental ? opts.since?.get(id) : undefined;
      if (!since) ranFull.add(id);
      const reasons = [...(forced && a.state === 'fresh' ? ['forced'] : a.reasons), ...(since ? [`incremental from ${since}`] : [])];
      logger.debug(`start ${id}: ${reasons.join('; ')}`, { event: 'start', instance: id, cache: 'miss', reasons });
      const t0 = performance.now();
      const spec = taskSpec(project, inst, since);
      const modulePath = taskModulePath(project.dag.root, project.dag.spec.compiled_dir, inst.node.task);
      let result: { ok: boolean; error?: string; logs: string[]; report?: Record<string, unknown> };
      if (inst.node.in_process) {
        const ctx = new TaskContext(spec);
        try {
          await runTask(modulePath, ctx);
          result = { ok: true, logs: ctx.logs, report: ctx.reported };
        } catch (err) {
          result = { ok: false, logs: ctx.logs, error: (err as Error).message };
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
        recordOk(project, inst, a, key, outputs, ms);
        logger.info(`ran ${id} (${ms} ms)`, { event: 'end', instance: id, ms, cache: 'miss', reasons });
        try {
          await opts.cache?.save({ id, outputs: inst.outputs, abs: project.abs, memo: project.memo }, { key, instance: id, outputs, ms, ...(result.report ? { report: result.report } : {}) });
        } catch (err) {
          if (!(err instanceof RemoteRequiredError)) throw err;
          // the outputs are good and recorded; only the upload the caller insisted on failed
          fail(id, inst, a, key, ms, `outputs made but not uploaded: ${err.message}`, false);
          return;
        }
        finish(id, { ...outcomeBase(inst), action: 'ran', ms, reasons, ...(result.report ? { report: result.report } : {}) });
      } else fail(id, inst, a, key, ms, result.error ?? 'failed');
    });
  };

  const fail = (id: string, inst: Instance, a: ReturnType<typeof assess>, key: string, ms: number, error: string, record = true) => {
    if (record) project.state.record(id, { status: 'failed', key, parts: a.parts, outputs: {}, ms, error }, project.fingerprinter.node(inst.node).parts);
    logger.error(`failed ${id}: ${error}`, { event: 'fail', instance: id, ms, error });
    opts.onFailedKey?.(key);
    if (!opts.keepGoing) {
      stopping = true;
      queue.clear();
    }
    finish(id, { ...outcomeBase(inst), action: 'failed', ms, reasons: [error] });
  };

  try {
    // collect first: a job may run (and schedule its dependants) synchronously inside queue.add
    const ready = opts.ids.filter((id) => pending.get(id) === 0);
    for (const id of ready) schedule(id);
    await queue.onIdle();
  } finally {
    progress.stop();
    if (!opts.pool) await pool.close();
    project.memo.save();
    project.state.compact();
    release();
  }
  const instances = opts.ids.map((id) => outcomes.get(id) ?? { ...outcomeBase(project.plan.instances.get(id)!), action: 'blocked' as const, reasons: ['not run: the run stopped after a failure'] });
  return summarize(opts.target, instances, started);
}

/** Remember a successful (ran or restored) instance: its key, key parts and output hashes. */
function recordOk(project: Project, inst: Instance, a: ReturnType<typeof assess>, key: string, outputs: Record<string, string>, ms: number): void {
  const inputLines: Record<string, number> = {};
  for (const ref of inst.inputs.filter((r) => r.path.endsWith('.csv'))) {
    const lines = project.memo.stamp(project.abs(ref.path))?.lines;
    if (lines !== undefined) inputLines[ref.path] = lines;
  }
  project.state.record(inst.id, { status: 'ok', key, parts: a.parts, outputs, ms, ...(Object.keys(inputLines).length ? { inputLines } : {}) }, project.fingerprinter.node(inst.node).parts);
}

function outcomeBase(inst: Instance): Omit<InstanceOutcome, 'action' | 'reasons'> {
  return { node: inst.node.id, ticker: inst.ticker ?? null, ms: 0 };
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
    const run = a.state !== 'fresh' || opts.force || (opts.forceIds?.has(id) ?? false);
    const reasons = run && a.state === 'fresh' ? ['forced'] : restorable.has(id) ? withRestoreNote(a.reasons) : a.reasons;
    return { ...outcomeBase(inst), action: run ? 'would-run' as const : 'skipped' as const, reasons };
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
