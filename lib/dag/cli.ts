import { Command, Option } from 'commander';
import { executorOption, positiveInt } from './cliArgs.js';
import { findDagFile } from './findDagFile.js';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import { openProject, targetDecl, targetNodes, type Project } from './project.js';
import { selectInstances } from './plan.js';
import { selectChecked, withoutExcluded } from './selection.js';
import { installSignalHandlers, interruptedCommand, interruption, SIGNAL_EXIT, throwIfInterrupted } from './interrupt.js';
import { fsErrorMessage, isFsError, oneLine, stackOf } from './errorText.js';
import { saveMemo } from './readOnlyRun.js';
import { unlockRunLock } from './unlock.js';
import { assessAll } from './assess.js';
import { formatStatus, statusRows } from './statusReport.js';
import { predictRestores } from './store/predict.js';
import { formatGraph, type GraphFormat } from './graphFormat.js';
import { runPlan, runLogPath, type RunSummary } from './runner.js';
import { runIncrementalTarget } from './incremental/target.js';
import type { WorkerPool } from './workerPool.js';
import { createLogger, closeLogger } from './log.js';
import { loadDagFile } from './spec.js';
import { UserError } from './errors.js';
import { WriteError } from '../io/atomic.js';
import { buildLock, lockPath, writeLock } from './lock.js';
import { formatVerify, verify } from './verify.js';
import { auditLookahead, formatAudit } from './audit.js';
import { addUiCommand } from './uiCommand.js';
import { formatRehash, rehashResult } from './rehash.js';
import { openRunCache } from './store/open.js';
import { writeLastRun } from './store/lastRun.js';
import { autoGcAfterRun } from './store/gcCheckout.js';
import { registerCacheCommands } from './store/commands.js';
import { localForIncremental, openExecutor } from './executor/open.js';
import { REMOTE_IN_FLIGHT } from './executor/executor.js';
import { registerWorkerCommand } from './worker/commands.js';
import { registerSweepCommands, type SweepHooks } from './sweep/commands.js';

/**
 * Exit codes: 0 success, 1 a task failed (or a check found differences, or a file could not be
 * read or written), 2 bad usage/config/DAG or an option that selects nothing, 3 another run
 * holds the lock, 130/143 stopped by SIGINT/SIGTERM.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3, ...SIGNAL_EXIT } as const;

interface CommonOpts {
  dag?: string;
  config?: string;
  workdir?: string;
  json?: boolean;
}

async function open(opts: CommonOpts): Promise<Project> {
  if (opts.workdir !== undefined && !isDirectory(opts.workdir)) throw new UserError(`--workdir ${opts.workdir}: no such folder`);
  const project = await openProject({ dagFile: findDagFile(opts.dag), configFile: opts.config, workdir: opts.workdir });
  // damaged state files were recovered from; say so once, naming the file
  for (const w of [...project.state.warnings, ...project.memo.warnings]) process.stderr.write(`warn: ${w}\n`);
  return project;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Options only incremental runs use (`--since`; the pipeline's own, read by a target's hooks),
 * and options incremental targets ignore: given to the wrong kind of target they would select
 * nothing, so they are errors.
 */
function checkTargetOptions(project: Project, target: string, opts: Record<string, unknown>, pipelineKeys: string[]): void {
  const decl = targetDecl(project, target);
  const declared = Object.entries(project.dag.spec.targets).filter(([, t]) => t.mode === 'incremental');
  const names = (list: [string, unknown][]) => list.map(([n]) => `'${n}'`).join(', ') || '(none)';
  if (decl.mode === 'incremental' && opts.ticker) throw new UserError(`--ticker does not apply to target '${target}': it always works on every ticker`);
  if (opts.since !== undefined && decl.mode !== 'incremental' && !opts.incremental) {
    const where = declared.length ? `to target${declared.length > 1 ? 's' : ''} ${names(declared)} or with --incremental` : 'with --incremental (no target is declared with mode: incremental)';
    throw new UserError(`--since applies only ${where}, not to '${target}'`);
  }
  const own = pipelineKeys.filter((k) => opts[k] !== undefined);
  if (own.length && !decl.hooks) {
    const hooked = Object.entries(project.dag.spec.targets).filter(([, t]) => t.hooks);
    throw new UserError(`--${kebab(own[0])} applies only to target${hooked.length > 1 ? 's' : ''} ${names(hooked)}, not to '${target}'`);
  }
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);


const collect = (v: string, prev: string[] = []) => [...prev, v];

function addCommon(cmd: Command): Command {
  return cmd
    .option('--dag <file>', 'DAG file (default: pipeline.dag.yaml here or in a parent folder)')
    .option('--config <path>', 'settings file (default: the one the DAG file names)')
    .option('--workdir <dir>', 'folder that data and artifact paths resolve against (default: the DAG file\'s folder)');
}

export function printRunSummary(summary: RunSummary, json: boolean, dry = false): void {
  if (json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const blocked = summary.instances.filter((i) => i.action === 'blocked').length;
  const failed = summary.instances.filter((i) => i.action === 'failed');
  if (dry) {
    for (const i of summary.instances.filter((x) => x.action === 'would-run')) {
      process.stdout.write(`would run ${i.node}${i.ticker ?? i.item ? `[${i.ticker ?? i.item}]` : ''}: ${i.reasons.join('; ')}\n`);
    }
  }
  process.stdout.write(
    `${summary.target}: ${dry ? 'would run' : 'ran'} ${summary.executed}, ${summary.restored ? `restored ${summary.restored}, ` : ''}skipped ${summary.skipped} (cached), failed ${summary.failed}${blocked ? `, not run ${blocked}` : ''} in ${(summary.durationMs / 1000).toFixed(2)} s\n`,
  );
  for (const f of failed) process.stdout.write(`  FAILED ${f.node}${f.ticker ? ` ticker ${f.ticker}` : f.item ? `[${f.item}]` : ''}: ${f.reasons.join('; ')}\n`);
}

export interface CliHooks {
  /** Extra commands (verify, audit, ...) registered by the pipeline. */
  extend?: (program: Command) => void;
  /** Called after a successful run of a target, e.g. to log key metrics. */
  afterRun?: (project: Project, target: string, summary: RunSummary, log: (line: string) => void) => Promise<void>;
  /**
   * Options of `dag run` that the pipeline adds, for targets whose declaration names `hooks`
   * (the hooks read them): given to another target they are an error.
   */
  targetOptions?: { flags: string; description: string; parse?: (value: string) => unknown }[];
  /** A worker pool started before the CLI loaded, for an incremental run (it resizes and closes it). */
  incrementalPool?: WorkerPool;
  /** What the pipeline adds to `dag sweep` (results, report, `sweep show`). */
  sweep?: SweepHooks;
}

export function buildProgram(hooks: CliHooks = {}): Command {
  const program = new Command('dag')
    .description('Run a declared DAG of tasks with content-hashed, cached artifacts.')
    .showHelpAfterError()
    .exitOverride();

  addCommon(program.command('run <target>'))
    .description('Run a target (a named target such as backtest or daily, or a node id) and everything it needs that is not fresh.')
    .option('--ticker <symbol>', 'only these tickers (repeatable)', collect)
    .option('--force', 'ignore the cache for every selected instance')
    .option('--dry-run', 'print what would run and why; execute nothing')
    .option('--keep-going', 'after a failure, go on with branches that do not depend on it')
    .option('--concurrency <n>', 'instances run at once (default: number of cores; incremental runs: one worker per 40 tickers, at most that)', positiveInt)
    .option('--json', 'print one JSON summary on stdout; logs go to stderr')
    .option('--incremental', 'run the nodes declared `incremental` from their first changed date (targets declared with mode: incremental always do)')
    .option('--since <date>', 'incremental runs: recompute from this date at the latest (yesterday, today or YYYY-MM-DD)')
    .option('--update-lock', 'after a run with no failure, write dag.lock for every instance of the target')
    .option('--overwrite', 'let tasks replace output files dag has no record of writing (your edits, or files from a lost state folder)')
    .option('--no-cache', 'neither restore from nor write to any cache store in this run')
    .option('--remote-write', 'upload each successful instance\'s outputs to cache.remote (write-through)')
    .option('--require-remote', 'a remote store that fails is an error (exit 1), not a warning')
    .addOption(executorOption())
    .option('-v, --verbose', 'log each instance\'s start and cache decision');
  const runCommand = program.commands.find((c) => c.name() === 'run')!;
  const pipelineKeys: string[] = [];
  for (const o of hooks.targetOptions ?? []) {
    const option = new Option(o.flags, o.description);
    if (o.parse) option.argParser(o.parse);
    runCommand.addOption(option);
    pipelineKeys.push(option.attributeName());
  }
  runCommand
    .action(async (target: string, opts: CommonOpts & Record<string, unknown>) => {
      const project = await open(opts);
      checkTargetOptions(project, target, opts, pipelineKeys);
      const decl = targetDecl(project, target);
      const incremental = decl.mode === 'incremental' || Boolean(opts.incremental);
      const logger = createLogger({ runLog: opts.dryRun ? undefined : runLogPath(project), verbose: Boolean(opts.verbose) });
      const runCache = await openRunCache(project, { noCache: opts.cache === false, remoteWrite: Boolean(opts.remoteWrite), requireRemote: Boolean(opts.requireRemote) }, logger);
      let summary: RunSummary;
      let failed = false;
      let executor: Awaited<ReturnType<typeof openExecutor>>;
      try {
        // an incremental run continues from the outputs in this folder, so it runs here (never silently)
        if (incremental) localForIncremental(project, target, opts.executor as string | undefined, logger);
        executor = opts.dryRun || incremental ? undefined : await openExecutor(project, opts.executor as string | undefined, runCache, logger);
        // workers do the work: the coordinator keeps every ready instance in flight
        const concurrency = (opts.concurrency as number | undefined) ?? (executor ? REMOTE_IN_FLIGHT : undefined);
        if (incremental) {
          summary = await runIncrementalTarget(project, target, decl, {
            options: opts,
            since: opts.since as string | undefined,
            tickers: opts.ticker as string[] | undefined,
            force: Boolean(opts.force),
            dryRun: Boolean(opts.dryRun),
            keepGoing: Boolean(opts.keepGoing),
            concurrency,
            progress: !opts.json,
            overwrite: Boolean(opts.overwrite),
            pool: hooks.incrementalPool,
            cache: runCache,
            logger,
            command: `dag ${process.argv.slice(2).join(' ')}`,
          });
        } else {
          const ids = selectChecked(project, target, opts.ticker as string[] | undefined);
          summary = await runPlan(project, {
            target,
            ids,
            force: Boolean(opts.force),
            dryRun: Boolean(opts.dryRun),
            keepGoing: Boolean(opts.keepGoing),
            concurrency,
            logger,
            progress: !opts.json,
            command: `dag ${process.argv.slice(2).join(' ')}`,
            overwrite: Boolean(opts.overwrite),
            cache: runCache,
            executor,
          });
        }
        // a run that looked nothing up (a no-op run) keeps the last run's figures, and writes nothing
        if (runCache && !opts.dryRun && (runCache.stats.lookups > 0 || runCache.stats.stored > 0)) writeLastRun(project.stateDir, `dag ${process.argv.slice(2).join(' ')}`, runCache.stats);
        if (runCache && !opts.dryRun && runCache.stats.stored > 0) autoGcAfterRun(project, runCache, logger);
        const stopped = interruption() !== undefined;
        if (opts.updateLock && summary.failed === 0 && !opts.dryRun && !stopped) {
          const ids = selectInstances(project.plan, targetNodes(project, target));
          writeLock(project, buildLock(project, target, ids));
          logger.info(`wrote ${lockPath(project)} (${ids.length} instances of ${target})`);
        }
        if (summary.failed === 0 && !opts.dryRun && !opts.ticker && !stopped && hooks.afterRun) {
          await hooks.afterRun(project, target, summary, (line) => logger.info(line));
        }
        if (!opts.dryRun) logger.info(`run summary ${JSON.stringify({ executed: summary.executed, restored: summary.restored, skipped: summary.skipped, failed: summary.failed, durationMs: summary.durationMs })}`);
      } catch (err) {
        // the run log keeps the stack; the console gets one line (main)
        if (!(err instanceof UserError)) logger.debug(`error: ${oneLine(err)}`, { event: 'error', stack: stackOf(err) });
        failed = true;
        throw err;
      } finally {
        await executor?.close();
        runCache?.close();
        // a run log that could not be written fails a run that went well (no space left, ...);
        // after a failure, the run's own error is the one to report
        await closeLogger(logger).catch((err: unknown) => {
          if (!failed) throw err;
          process.stderr.write(`warn: run log not written: ${oneLine(err)}\n`);
        });
      }
      printRunSummary(summary, Boolean(opts.json), Boolean(opts.dryRun));
      throwIfInterrupted(`${target}: ran ${summary.executed}, skipped ${summary.skipped}; completed instances are recorded, the rest runs next time`);
      if (summary.failed > 0) process.exitCode = EXIT.failed;
    });

  addCommon(program.command('status [target]'))
    .description('Show each instance as fresh, stale, missing or failed, with reasons.')
    .option('--ticker <symbol>', 'only these tickers (repeatable)', collect)
    .option('--verbose', 'list every instance that is not fresh with its reasons')
    .option('--json', 'print {"instances": [{node, ticker, state, reasons, restorable}]} on stdout')
    .option('--rehash', 're-read every output and compare it with the recorded hash (bit rot, restored backups); exit 1 on a difference')
    .option('--no-cache', 'do not look into the local cache store')
    .option('--workers', 'list the `dag worker` processes connected to the executor\'s Redis (commit, load, jobs done) instead')
    .action(async (target: string | undefined, opts: CommonOpts & { verbose?: boolean; ticker?: string[]; rehash?: boolean; cache?: boolean; workers?: boolean }) => {
      const project = await open(opts);
      if (opts.workers) {
        const { connectedWorkers, formatWorkers } = await import('./worker/listing.js'); // Redis client only when asked
        const rows = await connectedWorkers(project);
        process.stdout.write((opts.json ? JSON.stringify({ workers: rows }) : formatWorkers(rows)) + '\n');
        return;
      }
      if (opts.rehash) project.memo.rehashAll();
      // a target's excluded nodes are not run by it: what status shows is what its run would work on
      const decl = target === undefined ? undefined : project.dag.spec.targets[target];
      const { kept: ids, excluded } = withoutExcluded(project, selectChecked(project, target, opts.ticker), decl?.nodes ?? [], decl?.exclude ?? []);
      const excludedNodes = [...new Set([...excluded].map((id) => project.plan.instances.get(id)!.node.id))];
      const assessments = assessAll(project, ids);
      // status looks into the local store only: asking a remote about every stale instance would make it slow
      const runCache = await openRunCache(project, { noCache: opts.cache === false, localOnly: true }, createLogger({ quiet: true }));
      const rows = statusRows(project, ids, assessments, runCache ? predictRestores(project, ids, assessments, runCache) : new Set());
      saveMemo(project, (line) => process.stderr.write(`warn: ${line}\n`));
      const rehash = opts.rehash ? rehashResult(project, ids, rows) : undefined;
      if (opts.json) process.stdout.write(JSON.stringify({ instances: rows, ...(excludedNodes.length ? { excluded: excludedNodes } : {}), ...(rehash ? { rehash } : {}) }) + '\n');
      else {
        const note = excludedNodes.length ? `not run by target '${target}' (excluded, their outputs are used as they are): ${excludedNodes.join(', ')}\n` : '';
        process.stdout.write(formatStatus(rows, Boolean(opts.verbose)) + '\n' + note + (rehash ? formatRehash(rehash) + '\n' : ''));
      }
      if (rehash?.modified.length) process.exitCode = EXIT.failed;
    });

  program
    .command('graph')
    .description('Print the declared DAG.')
    .option('--dag <file>', 'DAG file (default: pipeline.dag.yaml here or in a parent folder)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'dot', 'json']).default('text'))
    .action((opts: { dag?: string; format: GraphFormat }) => {
      process.stdout.write(formatGraph(loadDagFile(findDagFile(opts.dag)), opts.format) + '\n');
    });

  addCommon(program.command('verify [target]'))
    .description('Rebuild the target (default: the one dag.lock was written for) from scratch in a temporary folder and compare every output with dag.lock (your artifacts are not touched).')
    .option('--lock <file>', 'lock file (default: dag.lock beside the DAG file)')
    .option('--concurrency <n>', 'instances run at once (default: number of cores)', positiveInt)
    .option('--json', 'print the result as JSON on stdout')
    .option('--verbose', 'print the stack of an unexpected error')
    .action(async (target: string | undefined, opts: CommonOpts & { lock?: string; concurrency?: number }) => {
      const project = await open(opts);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      const result = await verify(project, target, opts.lock ? resolve(opts.lock) : lockPath(project), { logger, concurrency: opts.concurrency });
      await closeLogger(logger);
      process.stdout.write((opts.json ? JSON.stringify(result) : formatVerify(result)) + '\n');
      if (!result.ok) process.exitCode = EXIT.failed;
    });

  const audit = program.command('audit').description('Checks that artifacts are honest.');
  addCommon(audit.command('lookahead'))
    .description('Perturb every bar after each cutoff, rebuild in a temporary folder, and check that no artifact row dated <= the cutoff changes (declared forward-looking columns excepted).')
    .option('--cutoff <date>', 'cutoff date YYYY-MM-DD (repeatable; default: three dates spread over the data)', collect)
    .option('--target <target>', 'target to rebuild (default: the DAG file\'s default_target)')
    .option('--concurrency <n>', 'instances run at once (default: number of cores)', positiveInt)
    .option('--json', 'print the result as JSON on stdout')
    .option('--verbose', 'print the stack of an unexpected error')
    .action(async (opts: CommonOpts & { cutoff?: string[]; target?: string; concurrency?: number }) => {
      for (const c of opts.cutoff ?? []) if (!/^\d{4}-\d{2}-\d{2}$/.test(c)) throw new UserError(`--cutoff: '${c}' is not a date YYYY-MM-DD`);
      const project = await open(opts);
      const target = opts.target ?? project.dag.spec.default_target;
      if (!target) throw new UserError(`audit lookahead: name the target with --target (${project.dag.file} declares no default_target)`);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      const result = await auditLookahead(project, target, opts.cutoff, { logger, concurrency: opts.concurrency });
      await closeLogger(logger);
      process.stdout.write((opts.json ? JSON.stringify(result) : formatAudit(result)) + '\n');
      if (!result.ok) process.exitCode = EXIT.failed;
    });

  program
    .command('unlock')
    .description('Remove the run lock a run left behind: shows what it removes and asks first (--yes to skip; required without a terminal).')
    .option('--dag <file>', 'DAG file (default: pipeline.dag.yaml here or in a parent folder)')
    .option('--workdir <dir>', 'folder whose state folder holds the lock (default: the DAG file\'s folder)')
    .option('--yes', 'remove without asking')
    .option('--json', 'print {"lock", "found", "removed", "holder"} on stdout')
    .action(async (opts: { dag?: string; workdir?: string; yes?: boolean; json?: boolean }) => {
      if (opts.workdir !== undefined && !isDirectory(opts.workdir)) throw new UserError(`--workdir ${opts.workdir}: no such folder`);
      const dag = loadDagFile(findDagFile(opts.dag));
      const stateDir = resolve(opts.workdir ?? dag.root, dag.spec.state_dir);
      const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
      const rl = interactive ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;
      try {
        const result = await unlockRunLock(stateDir, {
          yes: Boolean(opts.yes),
          interactive,
          // readline takes Ctrl-C from the terminal itself: treat it as "no", then as the signal it is
          ask: (q) => new Promise((res) => {
            rl!.once('SIGINT', () => {
              res('');
              process.kill(process.pid, 'SIGINT');
            });
            rl!.question(q).then(res, () => res('')); // Ctrl-D: no
          }),
          say: (line) => process.stderr.write(line + '\n'),
        });
        if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
        if (result.found && !result.removed) process.exitCode = EXIT.failed;
      } finally {
        rl?.close();
      }
    });

  addUiCommand(addCommon(program.command('ui')), (o) => ({ dagFile: findDagFile(o.dag as string | undefined), configFile: o.config as string | undefined, workdir: o.workdir as string | undefined }));

  registerCacheCommands(program, { open: (opts) => open(opts), addCommon });
  registerWorkerCommand(program, { open: (opts) => open(opts), addCommon });
  registerSweepCommands(program, { open: (opts) => open(opts), addCommon, hooks: hooks.sweep });
  hooks.extend?.(program);
  addHelpCommand(program);
  return program;
}

/**
 * `dag help [command...]`: the help of a command at any depth (`dag help audit lookahead`), exit 0;
 * a name that is no command is a usage error that says so. Commander's own help command takes one
 * name, and falls back to the top-level help for an unknown one.
 */
function addHelpCommand(program: Command): void {
  program.helpCommand(false);
  program.command('help [command...]')
    .description('display help for a command (dag help audit lookahead)')
    .action((path: string[]) => {
      let cmd = program;
      for (const [i, name] of path.entries()) {
        const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!sub) {
          const known = cmd.commands.length ? `${i === 0 ? 'commands' : `commands of '${path.slice(0, i).join(' ')}'`}: ${cmd.commands.map((c) => c.name()).join(', ')}` : `'${path.slice(0, i).join(' ')}' has no subcommands`;
          throw new UserError(`unknown command '${path.slice(0, i + 1).join(' ')}' (${known})`);
        }
        cmd = sub;
      }
      cmd.outputHelp();
    });
}

/** One `dag:` line on stderr for any error, and its exit code; the stack only with --verbose. */
function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof UserError || err instanceof WriteError) {
    process.stderr.write(`dag: ${err.message}\n`);
    return err.exitCode;
  }
  const line = isFsError(err) ? fsErrorMessage(err) : `unexpected error: ${oneLine(err)}`;
  const stack = stackOf(err);
  process.stderr.write(`dag: ${line}${verbose ? '' : stack && !isFsError(err) ? ' (--verbose shows the stack)' : ''}\n`);
  if (verbose && stack) process.stderr.write(stack + '\n');
  return EXIT.failed;
}

/**
 * Run the CLI and map every error to one `dag:` line and an exit code (docs/cli.md); stacks
 * appear only with --verbose (and in the run log). A command stopped by a signal exits 130/143.
 */
export async function main(argv: string[], hooks: CliHooks = {}): Promise<void> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  installSignalHandlers();
  const crash = (err: unknown) => {
    process.exitCode = reportError(err, verbose);
    process.exit();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const program = buildProgram(hooks);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: unknown };
    if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
      // help asked for exits 0 (commander's exitCode); a command group without its subcommand
      // (`dag cache`) prints its help on stderr as the usage error it is
      process.exitCode = (err as { exitCode?: number }).exitCode === 0 ? 0 : EXIT.usage;
    } else process.exitCode = reportError(err, verbose);
  }
  const signal = interruptedCommand();
  // exit now: an in-process task may still be running, and it must not outlive the lock
  if (signal) process.exit(Object.values(SIGNAL_EXIT).includes(process.exitCode as never) ? process.exitCode : SIGNAL_EXIT[signal]);
}
