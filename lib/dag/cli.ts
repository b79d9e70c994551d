import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openProject, targetNodes, type Project } from './project.js';
import { selectInstances } from './plan.js';
import { assessAll } from './assess.js';
import { formatStatus, statusRows } from './statusReport.js';
import { predictRestores } from './store/predict.js';
import { formatGraph, type GraphFormat } from './graphFormat.js';
import { runPlan, runLogPath, type RunSummary } from './runner.js';
import { createLogger, closeLogger } from './log.js';
import { loadDagFile } from './spec.js';
import { UserError } from './errors.js';
import { buildLock, lockPath, writeLock } from './lock.js';
import { formatVerify, verify } from './verify.js';
import { auditLookahead, formatAudit } from './audit.js';
import { openRunCache } from './store/open.js';
import { writeLastRun } from './store/lastRun.js';
import { registerCacheCommands } from './store/commands.js';
import { registerSweepCommands, type SweepHooks } from './sweep/commands.js';

/** Exit codes: 0 success, 1 a task failed (or a check found differences), 2 bad usage/config/DAG, 3 another run holds the lock. */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3 } as const;

interface CommonOpts {
  dag?: string;
  config?: string;
  workdir?: string;
  json?: boolean;
}

function findDagFile(explicit?: string): string {
  if (explicit) return resolve(explicit);
  let dir = process.cwd();
  for (;;) {
    const candidate = join(dir, 'pipeline.dag.yaml');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new UserError('no pipeline.dag.yaml in this folder or its parents (use --dag FILE)');
    dir = up;
  }
}

async function open(opts: CommonOpts): Promise<Project> {
  return openProject({ dagFile: findDagFile(opts.dag), configFile: opts.config, workdir: opts.workdir });
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const collect = (v: string, prev: string[] = []) => [...prev, v];

function addCommon(cmd: Command): Command {
  return cmd
    .option('--dag <file>', 'DAG file (default: pipeline.dag.yaml here or in a parent folder)')
    .option('--config <path>', 'settings file (default: the one the DAG file names)')
    .option('--workdir <dir>', 'folder that data and artifact paths resolve against (default: the DAG file\'s folder)');
}

export function printRunSummary(summary: RunSummary, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const blocked = summary.instances.filter((i) => i.action === 'blocked').length;
  const failed = summary.instances.filter((i) => i.action === 'failed');
  const dry = summary.instances.some((i) => i.action === 'would-run');
  if (dry) {
    for (const i of summary.instances.filter((x) => x.action === 'would-run')) {
      process.stdout.write(`would run ${i.node}${i.ticker ? `[${i.ticker}]` : ''}: ${i.reasons.join('; ')}\n`);
    }
  }
  process.stdout.write(
    `${summary.target}: ${dry ? 'would run' : 'ran'} ${summary.executed}, ${summary.restored ? `restored ${summary.restored}, ` : ''}skipped ${summary.skipped} (cached), failed ${summary.failed}${blocked ? `, not run ${blocked}` : ''} in ${(summary.durationMs / 1000).toFixed(2)} s\n`,
  );
  for (const f of failed) process.stdout.write(`  FAILED ${f.node}${f.ticker ? ` ticker ${f.ticker}` : ''}: ${f.reasons.join('; ')}\n`);
}

export interface CliHooks {
  /** Extra commands (verify, audit, ...) registered by the pipeline. */
  extend?: (program: Command) => void;
  /** Called after a successful run of a target, e.g. to log key metrics. */
  afterRun?: (project: Project, target: string, summary: RunSummary, log: (line: string) => void) => Promise<void>;
  /** A target the pipeline handles itself (e.g. `daily`). */
  customTargets?: Record<string, (project: Project, opts: Record<string, unknown>, run: typeof runPlan) => Promise<RunSummary>>;
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
    .option('--concurrency <n>', 'instances run at once (default: number of cores; daily: one worker per 40 tickers, at most that)', positiveInt)
    .option('--json', 'print one JSON summary on stdout; logs go to stderr')
    .option('--since <date>', 'daily target: first date to (re)compute (yesterday, today or YYYY-MM-DD)')
    .option('--extend <n>', 'daily target with the sample market: append n new trading days first', positiveInt)
    .option('--retrain', 'daily target: retrain models if their inputs changed')
    .option('--update-lock', 'after a successful backtest run, write dag.lock')
    .option('--no-cache', 'neither restore from nor write to any cache store in this run')
    .option('--remote-write', 'upload each successful instance\'s outputs to cache.remote (write-through)')
    .option('--require-remote', 'a remote store that fails is an error (exit 1), not a warning')
    .option('-v, --verbose', 'log each instance\'s start and cache decision')
    .action(async (target: string, opts: CommonOpts & Record<string, unknown>) => {
      const project = await open(opts);
      const logger = createLogger({ runLog: opts.dryRun ? undefined : runLogPath(project), verbose: Boolean(opts.verbose) });
      const runCache = await openRunCache(project, { noCache: opts.cache === false, remoteWrite: Boolean(opts.remoteWrite), requireRemote: Boolean(opts.requireRemote) }, logger);
      let summary: RunSummary;
      try {
        const custom = hooks.customTargets?.[target];
        if (custom) summary = await custom(project, { ...opts, logger, runCache, command: `dag ${process.argv.slice(2).join(' ')}` }, runPlan);
        else {
          const ids = selectInstances(project.plan, targetNodes(project, target), opts.ticker as string[] | undefined);
          summary = await runPlan(project, {
            target,
            ids,
            force: Boolean(opts.force),
            dryRun: Boolean(opts.dryRun),
            keepGoing: Boolean(opts.keepGoing),
            concurrency: opts.concurrency as number | undefined,
            logger,
            progress: !opts.json,
            command: `dag ${process.argv.slice(2).join(' ')}`,
            cache: runCache,
          });
        }
        if (runCache && !opts.dryRun) writeLastRun(project.stateDir, `dag ${process.argv.slice(2).join(' ')}`, runCache.stats);
        if (opts.updateLock && summary.failed === 0 && !opts.dryRun) {
          const ids = selectInstances(project.plan, targetNodes(project, target));
          writeLock(project, buildLock(project, target, ids));
          logger.info(`wrote ${lockPath(project)} (${ids.length} instances of ${target})`);
        }
        if (summary.failed === 0 && !opts.dryRun && !opts.ticker && hooks.afterRun) {
          await hooks.afterRun(project, target, summary, (line) => logger.info(line));
        }
        if (!opts.dryRun) logger.info(`run summary ${JSON.stringify({ executed: summary.executed, restored: summary.restored, skipped: summary.skipped, failed: summary.failed, durationMs: summary.durationMs })}`);
      } finally {
        runCache?.close();
        await closeLogger(logger);
      }
      printRunSummary(summary, Boolean(opts.json));
      if (summary.failed > 0) process.exitCode = EXIT.failed;
    });

  addCommon(program.command('status [target]'))
    .description('Show each instance as fresh, stale, missing or failed, with reasons.')
    .option('--ticker <symbol>', 'only these tickers (repeatable)', collect)
    .option('--verbose', 'list every instance that is not fresh with its reasons')
    .option('--json', 'print {"instances": [{node, ticker, state, reasons, restorable}]} on stdout')
    .option('--no-cache', 'do not look into the local cache store')
    .action(async (target: string | undefined, opts: CommonOpts & { verbose?: boolean; ticker?: string[]; cache?: boolean }) => {
      const project = await open(opts);
      const nodes = target ? targetNodes(project, target) : [...project.plan.instances.values()].map((i) => i.node.id);
      const ids = selectInstances(project.plan, [...new Set(nodes)], opts.ticker);
      const assessments = assessAll(project, ids);
      // status looks into the local store only: asking a remote about every stale instance would make it slow
      const runCache = await openRunCache(project, { noCache: opts.cache === false, localOnly: true }, createLogger({ quiet: true }));
      const rows = statusRows(project, ids, assessments, runCache ? predictRestores(project, ids, assessments, runCache) : new Set());
      project.memo.save();
      if (opts.json) process.stdout.write(JSON.stringify({ instances: rows }) + '\n');
      else process.stdout.write(formatStatus(rows, Boolean(opts.verbose)) + '\n');
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
    .description('Rebuild the target from scratch in a temporary folder and compare every output with dag.lock (your artifacts are not touched).')
    .option('--lock <file>', 'lock file (default: dag.lock beside the DAG file)')
    .option('--concurrency <n>', 'instances run at once (default: number of cores; daily: one worker per 40 tickers, at most that)', positiveInt)
    .option('--json', 'print the result as JSON on stdout')
    .action(async (target: string | undefined, opts: CommonOpts & { lock?: string; concurrency?: number }) => {
      const project = await open(opts);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      const result = await verify(project, target ?? 'backtest', opts.lock ? resolve(opts.lock) : lockPath(project), { logger, concurrency: opts.concurrency });
      await closeLogger(logger);
      process.stdout.write((opts.json ? JSON.stringify(result) : formatVerify(result)) + '\n');
      if (!result.ok) process.exitCode = EXIT.failed;
    });

  const audit = program.command('audit').description('Checks that artifacts are honest.');
  addCommon(audit.command('lookahead'))
    .description('Perturb every bar after each cutoff, rebuild in a temporary folder, and check that no artifact row dated <= the cutoff changes (declared forward-looking columns excepted).')
    .option('--cutoff <date>', 'cutoff date YYYY-MM-DD (repeatable; default: three dates spread over the data)', collect)
    .option('--target <target>', 'target to rebuild', 'backtest')
    .option('--concurrency <n>', 'instances run at once (default: number of cores; daily: one worker per 40 tickers, at most that)', positiveInt)
    .option('--json', 'print the result as JSON on stdout')
    .action(async (opts: CommonOpts & { cutoff?: string[]; target: string; concurrency?: number }) => {
      for (const c of opts.cutoff ?? []) if (!/^\d{4}-\d{2}-\d{2}$/.test(c)) throw new UserError(`--cutoff: '${c}' is not a date YYYY-MM-DD`);
      const project = await open(opts);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      const result = await auditLookahead(project, opts.target, opts.cutoff, { logger, concurrency: opts.concurrency });
      await closeLogger(logger);
      process.stdout.write((opts.json ? JSON.stringify(result) : formatAudit(result)) + '\n');
      if (!result.ok) process.exitCode = EXIT.failed;
    });

  registerCacheCommands(program, { open: (opts) => open(opts), addCommon });
  registerSweepCommands(program, { open: (opts) => open(opts), addCommon, hooks: hooks.sweep });
  hooks.extend?.(program);
  return program;
}

/** Run the CLI and map errors to exit codes: user errors print a message, not a stack. */
export async function main(argv: string[], hooks: CliHooks = {}): Promise<void> {
  const program = buildProgram(hooks);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as Error & { code?: string; exitCode?: number };
    if (e.code?.startsWith('commander.')) {
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : EXIT.usage;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`dag: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`dag: ${e.stack ?? e.message}\n`);
    process.exitCode = EXIT.failed;
  }
}
