import type { Command } from 'commander';
import { join } from 'node:path';
import type { Project } from '../project.js';
import { createLogger, closeLogger } from '../log.js';
import { openRunCache } from '../store/open.js';
import { UserError } from '../errors.js';
import { interruption, throwIfInterrupted } from '../interrupt.js';
import { executorOption, positiveInt } from '../cliArgs.js';
import { openExecutor } from '../executor/open.js';
import { sweepDir, type PreparedVariant } from './variants.js';
import type { SweepOutcome } from './run.js';
import { describeOverlay } from './overlay.js';

export interface SweepHooks {
  /**
   * After every variant succeeded: the pipeline's results (tables, report). What it returns joins
   * the JSON output; the lines it logs end the text output.
   */
  afterSweep?: (main: Project, sweep: SweepOutcome, variants: PreparedVariant[], opts: Record<string, unknown>, log: (line: string) => void) => Promise<Record<string, unknown> | void>;
  /** `dag sweep show <name>`. */
  show?: (main: Project, dir: string, opts: { sort?: string; json?: boolean }) => Promise<string>;
  /** Options the pipeline adds to `dag sweep` (passed back to afterSweep). */
  options?: (cmd: Command) => Command;
}

interface Deps {
  open: (opts: Record<string, unknown>) => Promise<Project>;
  addCommon: (cmd: Command) => Command;
  hooks?: SweepHooks;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `dag sweep <target>`, `dag sweep status <name>`, `dag sweep show <name>`. */
export function registerSweepCommands(program: Command, { open, addCommon, hooks = {} }: Deps): void {
  const sweep = program.command('sweep').description('Run a target once per variant of the settings (a grid, a sweep file), sharing everything the variants have in common; compare the results.');

  const run = addCommon(sweep.command('run [target]', { isDefault: true }))
    .description("Run the target (default: the sweep file's target) for every variant (dag sweep <target> --set key=v1,v2 ... or --file sweeps/<name>.yaml).")
    .option('--set <key=values>', 'a swept settings key and its comma-separated values (repeatable; the grid is every combination)', collect)
    .option('--file <sweep.yaml>', 'a sweep file with grid:, variants: and random: sections')
    .option('--name <name>', 'name of the sweep (default: the sweep file\'s name, or a short hash of the variants)')
    .option('--concurrency <n>', 'variants, and instances within each, run at once; also the number of worker threads (default: number of cores). With --executor bullmq: variants in flight (default: all; the workers bound the instances)', positiveInt)
    .option('--force', 'recompute every instance of every variant')
    .option('--keep-going', 'after a failure, go on with the other variants')
    .option('--remote-write', 'upload each successful instance\'s outputs to cache.remote (write-through)')
    .option('--require-remote', 'a remote store that fails is an error (exit 1), not a warning')
    .addOption(executorOption())
    .option('--json', 'print one JSON summary on stdout; logs go to stderr')
    .option('-v, --verbose', 'log each instance\'s start and cache decision');
  (hooks.options ?? ((c) => c))(run).action(async (target: string | undefined, opts: Record<string, unknown>) => {
    // the sweep machinery loads when a sweep runs, not with every command
    const { sweepFromCommandLine } = await import('./definition.js');
    const { checkSweep, runSweep } = await import('./run.js');
    if (!opts.file && !opts.set) throw new UserError('dag sweep: give --set key=v1,v2 (repeatable) or --file sweeps/<name>.yaml');
    const def = sweepFromCommandLine({ file: opts.file as string | undefined, set: opts.set as string[] | undefined, name: opts.name as string | undefined });
    const main = await open(opts);
    const effectiveTarget = target ?? def.target;
    if (!effectiveTarget) throw new UserError('dag sweep: name the target to run (dag sweep backtest ...) or give target: in the sweep file');
    const command = `dag ${process.argv.slice(2).join(' ')}`;
    const logger = createLogger({ runLog: join(sweepDir(main, def.name), 'runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`), verbose: Boolean(opts.verbose) });
    const cache = await openRunCache(main, { remoteWrite: Boolean(opts.remoteWrite), requireRemote: Boolean(opts.requireRemote) }, logger);
    const lines: string[] = [];
    let extra: Record<string, unknown> | void = undefined;
    let outcome: SweepOutcome;
    let executor: Awaited<ReturnType<typeof openExecutor>>;
    try {
      const variants = await checkSweep(main, def, effectiveTarget);
      // one executor for every variant: jobs carry everything, the code is the same
      executor = await openExecutor(main, opts.executor as string | undefined, cache, logger);
      const result = await runSweep(main, def, variants, { target: effectiveTarget, concurrency: opts.concurrency as number | undefined, force: Boolean(opts.force), keepGoing: Boolean(opts.keepGoing), logger, cache, command, executor });
      outcome = result.outcome;
      if (outcome.failed === 0 && !interruption() && hooks.afterSweep) extra = await hooks.afterSweep(main, outcome, result.variants, opts, (l) => lines.push(l));
    } finally {
      await executor?.close();
      cache?.close();
      await closeLogger(logger);
    }
    if (opts.json) process.stdout.write(JSON.stringify({ ...outcome, ...(extra ?? {}) }) + '\n');
    else {
      for (const v of outcome.variants) {
        process.stdout.write(`${v.id}  ran ${v.executed}, restored ${v.restored}, skipped ${v.skipped}${v.failed ? `, FAILED ${v.failed}` : ''}${v.blocked ? `, not run ${v.blocked}` : ''}  ${describeOverlay(v.overlay)}\n`);
        for (const f of v.failures) process.stdout.write(`  FAILED ${f}\n`);
      }
      const total = (k: 'executed' | 'restored') => outcome.variants.reduce((a, v) => a + v[k], 0);
      process.stdout.write(`sweep ${outcome.name}: ${outcome.variants.length} variants of ${outcome.target}, ran ${total('executed')}, restored ${total('restored')}, failed ${outcome.failed} in ${(outcome.durationMs / 1000).toFixed(2)} s (${outcome.dir})\n`);
      for (const l of lines) process.stdout.write(l + '\n');
    }
    throwIfInterrupted(`sweep ${outcome.name}: completed instances are recorded, the rest runs next time`);
    if (outcome.failed > 0) process.exitCode = 1;
  });

  addCommon(sweep.command('status <name>'))
    .description('List the variants of a sweep as done, stale or missing against the current settings and code.')
    .option('--json', 'print {"name", "target", "variants": [{id, overlay, state, notFresh, instances}]} on stdout')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const { formatSweepStatus, sweepStatus } = await import('./status.js');
      const s = await sweepStatus(await open(opts), name);
      process.stdout.write((opts.json ? JSON.stringify(s) : formatSweepStatus(s)) + '\n');
    });

  addCommon(sweep.command('show <name>'))
    .description('Print the results table of a sweep, with its overfitting diagnostics.')
    .option('--sort <metric>', 'sort by this column, best first')
    .option('--json', 'print the table and diagnostics as JSON on stdout')
    .action(async (name: string, opts: Record<string, unknown>) => {
      if (!hooks.show) throw new UserError('this pipeline has no sweep results to show');
      const main = await open(opts);
      process.stdout.write((await hooks.show(main, sweepDir(main, name), { sort: opts.sort as string | undefined, json: Boolean(opts.json) })) + '\n');
    });
}
