import PQueue from 'p-queue';
import { join, relative } from 'node:path';
import type winston from 'winston';
import type { Project } from '../project.js';
import { runPlan, defaultConcurrency, type RunSummary } from '../runner.js';
import { WorkerPool } from '../workerPool.js';
import { acquireRunLock } from '../runLock.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { canonicalJson } from '../../io/canonicalJson.js';
import type { RunCache } from '../store/runCache.js';
import { REMOTE_IN_FLIGHT, type Executor } from '../executor/executor.js';
import type { SweepDefinition } from './definition.js';
import { instanceSignatures, sharedPhase } from './share.js';
import { KeyFlights } from './singleFlight.js';
import { checkVariants, sweepDir, writeVariants, type CheckedVariant, type PreparedVariant } from './variants.js';
import { describeOverlay, type Overlay } from './overlay.js';
import { outcomeId } from '../instanceId.js';
import { interruption } from '../interrupt.js';

export interface SweepRunOptions {
  target: string;
  concurrency?: number;
  force?: boolean;
  keepGoing?: boolean;
  logger: winston.Logger;
  /** The project's stores: how variants share what they have in common. */
  cache?: RunCache;
  command: string;
  /**
   * Where every variant's instances run when not on this process's worker threads (`dag worker`
   * processes through BullMQ). Opened and closed by the caller; `concurrency` then counts variants
   * in flight (default: all), and each variant keeps every ready instance queued.
   */
  executor?: Executor;
}

export interface VariantOutcome {
  id: string;
  overlay: Overlay;
  /** The variant's folder, relative to the project's work folder. */
  dir: string;
  executed: number;
  restored: number;
  skipped: number;
  failed: number;
  /** Instances not run: downstream of a failure, or left when a signal stopped the sweep. */
  blocked: number;
  /** Instances this variant executed, in either phase. */
  ran: string[];
  /** The `dag worker` that ran each of them (bullmq executor). */
  workers: Record<string, string>;
  failures: string[];
}

export interface SweepOutcome {
  name: string;
  target: string;
  dir: string;
  keys: string[];
  variants: VariantOutcome[];
  /** Variants that computed shared work first, one after another. */
  sharedBy: string[];
  failed: number;
  durationMs: number;
}

/** What `sweep.json` holds: the definition the last `dag sweep` of this name ran. */
export interface SweepRecord {
  name: string;
  target: string;
  keys: string[];
  variants: { id: string; overlay: Overlay }[];
}

export const SWEEP_RECORD = 'sweep.json';

/**
 * Run a target once per variant, each in its own folder with its own records. Instances shared
 * by several variants are computed once, by one variant, before the others start, and the
 * others restore them from the store (sharedPhase); then every variant runs in parallel, at most
 * `concurrency` at once, over one worker pool of that size (or over `opts.executor`).
 */
/**
 * Every variant's settings validated and its project opened, nothing written: a sweep that
 * cannot run (an unknown key, a bad value) says so before any executor connects anywhere.
 */
export function checkSweep(main: Project, def: SweepDefinition, target: string): Promise<CheckedVariant[]> {
  return checkVariants(main, def.name, target, def.variants);
}

export async function runSweep(main: Project, def: SweepDefinition, checked: CheckedVariant[], opts: SweepRunOptions): Promise<{ outcome: SweepOutcome; variants: PreparedVariant[] }> {
  const started = performance.now();
  const variants = await writeVariants(main, checked);
  const root = sweepDir(main, def.name);
  const release = acquireRunLock(root, opts.command);
  const concurrency = Math.max(1, opts.concurrency ?? (opts.executor ? variants.length : defaultConcurrency()));
  // with workers elsewhere, each variant queues every ready instance; they bound what runs
  const inFlight = opts.executor ? REMOTE_IN_FLIGHT : concurrency;
  const pool = opts.executor ? undefined : new WorkerPool(concurrency);
  const summaries: RunSummary[][] = variants.map(() => []);
  const sharedBy: string[] = [];
  try {
    const record: SweepRecord = { name: def.name, target: opts.target, keys: def.keys, variants: def.variants };
    writeFileAtomic(join(root, SWEEP_RECORD), canonicalJson(record));
    // keys equal only at run time (identical upstream bytes) are computed once too
    const flights = new KeyFlights();
    let runs = 0;
    const run = async (v: PreparedVariant, ids: string[]) => {
      const owner = runs++;
      try {
        return await runPlan(v.project, {
          target: opts.target,
          ids,
          force: opts.force,
          keepGoing: opts.keepGoing,
          concurrency: inFlight,
          logger: opts.logger,
          progress: false,
          command: `${opts.command} (variant ${v.id})`,
          pool,
          executor: opts.executor,
          cache: opts.cache ? flights.view(opts.cache, owner) : undefined,
          onFailedKey: (key) => flights.settle(key),
        });
      } finally {
        flights.releaseAll(owner);
      }
    };
    const phase = sharedPhase(variants.map((v) => ({ ids: v.ids, sigs: instanceSignatures(v.project, v.ids) })));
    let failed = false;
    for (const [i, ids] of phase) {
      if (interruption()) break;
      const v = variants[i];
      opts.logger.info(`sweep ${def.name}: shared work through variant ${v.id} (${ids.length} instances)`);
      sharedBy.push(v.id);
      const s = await run(v, ids);
      summaries[i].push(s);
      if (s.failed > 0) {
        failed = true;
        if (!opts.keepGoing) break;
      }
    }
    if ((!failed || opts.keepGoing) && !interruption()) {
      const queue = new PQueue({ concurrency });
      await Promise.all(variants.map((v, i) => queue.add(async () => {
        // a signal stops the sweep: no variant starts after it
        if (interruption()) return;
        opts.logger.info(`sweep ${def.name}: variant ${v.id} (${describeOverlay(v.overlay)})`);
        summaries[i].push(await run(v, v.ids));
      })));
    }
  } finally {
    await pool?.close();
    release();
  }
  const outcomes = variants.map((v, i) => variantOutcome(main, v, summaries[i]));
  return {
    outcome: {
      name: def.name,
      target: opts.target,
      dir: relative(main.workdir, root),
      keys: def.keys,
      variants: outcomes,
      sharedBy,
      failed: outcomes.filter((o) => o.failed > 0).length,
      durationMs: Math.round(performance.now() - started),
    },
    variants,
  };
}

function variantOutcome(main: Project, v: PreparedVariant, runs: RunSummary[]): VariantOutcome {
  const last = new Map<string, string>();
  const ran = new Set<string>();
  const workers: Record<string, string> = {};
  const failures: string[] = [];
  for (const s of runs) {
    for (const i of s.instances) {
      const id = outcomeId(i);
      if (i.action === 'ran') ran.add(id);
      if (i.action === 'ran' && i.worker) workers[id] = i.worker;
      if (i.action === 'failed') failures.push(`${id}: ${i.reasons.join('; ')}`);
      // what an earlier run did stands: a later one skips it (made), or was stopped before it
      if ((i.action !== 'skipped' && i.action !== 'blocked') || !last.has(id)) last.set(id, i.action);
    }
  }
  const count = (a: string) => [...last.values()].filter((x) => x === a).length;
  return {
    id: v.id,
    overlay: v.overlay,
    dir: relative(main.workdir, v.dir),
    executed: count('ran'),
    restored: count('restored'),
    skipped: count('skipped'),
    failed: count('failed'),
    // an instance no run of the variant reached (it never started) did not run either
    blocked: count('blocked') + v.ids.filter((id) => !last.has(id)).length,
    ran: v.ids.filter((id) => ran.has(id)),
    workers,
    failures,
  };
}
