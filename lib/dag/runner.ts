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
import { pickKeys } from './template.js';

export type Action = 'ran' | 'skipped' | 'failed' | 'blocked' | 'would-run';

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
        const inputLines: Record<string, number> = {};
        for (const ref of inst.inputs.filter((r) => r.path.endsWith('.csv'))) {
          const lines = project.memo.stamp(project.abs(ref.path))?.lines;
          if (lines !== undefined) inputLines[ref.path] = lines;
        }
        project.state.record(id, { status: 'ok', key: cacheKey(a.parts), parts: a.parts, outputs, ms, ...(Object.keys(inputLines).length ? { inputLines } : {}) }, project.fingerprinter.node(inst.node).parts);
        logger.info(`ran ${id} (${ms} ms)`, { event: 'end', instance: id, ms, cache: 'miss', reasons });
        finish(id, { ...outcomeBase(inst), action: 'ran', ms, reasons, ...(result.report ? { report: result.report } : {}) });
      } else {
        project.state.record(id, { status: 'failed', key: cacheKey(a.parts), parts: a.parts, outputs: {}, ms, error: result.error }, project.fingerprinter.node(inst.node).parts);
        logger.error(`failed ${id}: ${result.error}`, { event: 'fail', instance: id, ms, error: result.error });
        if (!opts.keepGoing) {
          stopping = true;
          queue.clear();
        }
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
    project.memo.save();
    project.state.compact();
    release();
  }
  const instances = opts.ids.map((id) => outcomes.get(id) ?? { ...outcomeBase(project.plan.instances.get(id)!), action: 'blocked' as const, reasons: ['not run: the run stopped after a failure'] });
  return summarize(opts.target, instances, started);
}

function outcomeBase(inst: Instance): Omit<InstanceOutcome, 'action' | 'reasons'> {
  return { node: inst.node.id, ticker: inst.ticker ?? null, ...(inst.item ? { item: inst.item.key } : {}), ms: 0 };
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
    lookback: inst.node.lookback,
  };
}

export function runLogPath(project: Project): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(project.stateDir, 'runs', `${stamp}-${process.pid}.jsonl`);
}
