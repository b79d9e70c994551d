import type winston from 'winston';
import type { Project } from '../project.js';
import type { TargetDecl } from '../spec.js';
import { selectChecked, upstreamClosure, withoutExcluded } from '../selection.js';
import { assess } from '../assess.js';
import { defaultConcurrency, runPlan, type RunOptions, type RunSummary } from '../runner.js';
import { WorkerPool } from '../workerPool.js';
import { acquireRunLock } from '../runLock.js';
import { isReadOnlyError } from '../readOnlyRun.js';
import { interruption } from '../interrupt.js';
import { taskModulePath } from '../loadTask.js';
import { UserError } from '../errors.js';
import type { RunCache } from '../store/runCache.js';
import type { Change } from './changes.js';
import { loadTargetHooks } from './hooks.js';
import { checkSince, resolveSince } from './since.js';
import { staleExcluded } from './excludedStale.js';
import { outcomeId } from '../instanceId.js';

export interface IncrementalRunOptions {
  /** Every option of the command line (the target's hooks read the pipeline's own). */
  options: Record<string, unknown>;
  since?: string;
  /** `--ticker`: only these tickers' instances (and what they need), as in a full run. */
  tickers?: string[];
  force?: boolean;
  dryRun?: boolean;
  keepGoing?: boolean;
  concurrency?: number;
  progress?: boolean;
  overwrite?: boolean;
  /** A pool started early (before the CLI loaded), which the run resizes and closes. */
  pool?: WorkerPool;
  cache?: RunCache;
  logger: winston.Logger;
  command: string;
}

/**
 * Workers for an incremental run when --concurrency is not given. Each worker compiles and warms
 * up every task's code (a few hundred ms of CPU), which a small fan-out's few new rows do not pay
 * back: one new day took 0.96 s with one worker against 1.06 s with two for 3 tickers, 1.42 s
 * against 1.57 s for 20, and 3.9 s against 3.7 s for 80 (bench/daily.ts, 2 cores).
 */
export function incrementalWorkers(fanout: number): number {
  return Math.min(defaultConcurrency(), Math.max(1, Math.floor(fanout / 40)));
}

/**
 * Run a target in incremental mode (docs/orchestrator.md, "Incremental runs"): the target's
 * nodes and what they need, less the nodes it excludes, in one run in which every node declared
 * `incremental` recomputes from the first date its inputs changed (runner.ts and changes.ts
 * decide that as instances finish). With `--since`, the sources run first, the date is checked
 * against their tables, and the rest follows, recomputing from that date at the latest.
 */
export async function runIncrementalTarget(project: Project, name: string, decl: TargetDecl, opts: IncrementalRunOptions): Promise<RunSummary> {
  const hooks = await loadTargetHooks(project, name, decl);
  const explicit = opts.since ? resolveSince(opts.since, hooks.previousDay) : undefined;
  // one lock across the phases: no other run may slip in between
  let release = () => undefined as void;
  let readOnly: unknown;
  try {
    if (!opts.dryRun) release = acquireRunLock(project.stateDir, opts.command);
  } catch (err) {
    if (!isReadOnlyError(err)) throw err;
    readOnly = err; // each phase then runs only if nothing needs a run (runPlan's readOnly)
  }
  const concurrency = Math.max(1, opts.concurrency ?? incrementalWorkers(project.plan.tickers.length));
  // one pool for every phase: workers start (and load the task modules) once
  const pool = opts.pool ?? new WorkerPool(concurrency);
  pool.resize(concurrency);
  try {
    const hookCtx = { project, options: opts.options, logger: opts.logger };
    const prepared = (await hooks.prepare?.(hookCtx)) ?? {};
    if (prepared.project) project = prepared.project;
    const exclude = prepared.exclude ?? decl.exclude;
    const { kept: ids, excluded } = selectIncremental(project, name, decl.nodes, exclude, opts.tickers);
    const sources = ids.filter((id) => project.plan.instances.get(id)!.node.incremental?.kind === 'source');
    if (explicit && sources.length === 0) throw new UserError(`--since: target '${name}' has no node declared \`incremental: { kind: source }\` whose tables the date could be checked against`);
    const feeding = upstreamClosure(project, ids, sources);
    if (!opts.dryRun && (explicit || feeding.some((id) => assess(project, project.plan.instances.get(id)!).state !== 'fresh'))) {
      warmWorkers(project, ids, feeding, pool, concurrency);
    }
    const changes = new Map<string, Change>();
    const common: RunOptions = {
      target: name, ids, force: opts.force, dryRun: opts.dryRun, keepGoing: opts.keepGoing, concurrency, logger: opts.logger,
      progress: opts.progress, command: opts.command, lockHeld: true, pool, readOnly, overwrite: opts.overwrite, cache: opts.cache,
      incremental: { changes },
    };
    let summary: RunSummary;
    if (!explicit) summary = await runPlan(project, common);
    else if (opts.dryRun) {
      // the date is checked against the sources' tables as they will be: only when none would run first
      const first = feeding.filter((id) => assess(project, project.plan.instances.get(id)!).state !== 'fresh').length;
      if (first === 0) await checkSince(project, sources, opts.since!, explicit);
      else opts.logger.info(`--dry-run: --since ${opts.since} is checked against the tables of the sources once they have run, and ${first} of them would run first: not checked here`);
      summary = await runPlan(project, { ...common, incremental: { changes, forceSince: explicit } });
    } else {
      const first = await runPlan(project, { ...common, ids: feeding });
      // a failure or a signal in the sources: the rest must not start (the caller exits 1 or 130/143)
      if (first.failed > 0 || interruption()) return first;
      await checkSince(project, sources, opts.since!, explicit);
      const early = new Set(feeding);
      const rest = ids.filter((id) => !early.has(id));
      summary = merge(name, first, await runPlan(project, { ...common, ids: rest, incremental: { changes, forceSince: explicit } }));
    }
    if (!opts.dryRun) {
      // also after a failure: what the sources changed before it stays changed
      const restored = new Set(summary.instances.filter((i) => i.action === 'restored').map(outcomeId));
      for (const [node, { count, reason }] of staleExcluded(project, excluded, changes, restored)) {
        opts.logger.warn(`${node}: ${count} instance(s) that target '${name}' excludes are out of date (${reason}): this run used their outputs from before, which a full run would rebuild; run a target that includes ${node} to rebuild them`);
      }
    }
    if (summary.failed === 0 && !opts.dryRun && !interruption()) await hooks.finished?.({ ...hookCtx, project, summary });
    return summary;
  } finally {
    await pool.close();
    release();
  }
}

/**
 * The target's instances, less those of excluded nodes and what only they need. What the kept
 * instances read from an excluded one must exist already (a fan-out whose list grew may have
 * excluded instances that never ran: only their readers' inputs matter).
 */
function selectIncremental(project: Project, name: string, nodes: string[], exclude: string[], tickers?: string[]): { kept: string[]; excluded: Set<string> } {
  const all = selectChecked(project, name, tickers);
  const { kept, excluded } = withoutExcluded(project, all, nodes, exclude);
  for (const id of kept) {
    for (const ref of project.plan.instances.get(id)!.inputs) {
      if (ref.producer === undefined || !excluded.has(ref.producer) || project.memo.hash(project.abs(ref.path)) !== null) continue;
      const node = project.plan.instances.get(ref.producer)!.node.id;
      throw new UserError(`target '${name}' excludes node '${node}', but ${id} reads its output ${ref.path}, which does not exist: build it first (\`dag run ${node}\`)`);
    }
  }
  return { kept, excluded };
}

/**
 * New rows: the sources, what feeds them and every incremental node will run, so the workers
 * load their modules now. A per-ticker task runs on every worker; a single-instance task runs on
 * one, so with several workers loading it in all would be waste. In-process tasks run in the
 * main thread, and nodes that always run in full (a report, say) may not run at all.
 */
function warmWorkers(project: Project, ids: string[], feeding: string[], pool: WorkerPool, workers: number): void {
  const early = new Set(feeding);
  const nodes = [...new Set(ids.map((id) => project.plan.instances.get(id)!).filter((i) => early.has(i.id) || i.node.incremental).map((i) => i.node))]
    .filter((n) => !n.in_process && (n.per_ticker || workers === 1));
  pool.warm(nodes.map((n) => taskModulePath(project.dag.root, project.dag.spec.compiled_dir, n.task)));
}

function merge(target: string, a: RunSummary, b: RunSummary): RunSummary {
  return {
    target,
    executed: a.executed + b.executed,
    restored: a.restored + b.restored,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    durationMs: a.durationMs + b.durationMs,
    instances: [...a.instances, ...b.instances],
  };
}
