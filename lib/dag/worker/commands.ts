import { Option, type Command } from 'commander';
import { positiveInt } from '../cliArgs.js';
import { availableParallelism } from 'node:os';
import type { Project } from '../project.js';
import { createLogger, closeLogger } from '../log.js';

interface Opts {
  dag?: string;
  config?: string;
  workdir?: string;
  json?: boolean;
}

/** `dag worker`: a long-running process that runs other machines' instances (docs/distributed.md). */
export function registerWorkerCommand(program: Command, deps: { open: (opts: Opts) => Promise<Project>; addCommon: (cmd: Command) => Command }): void {
  deps.addCommon(program.command('worker'))
    .description('Run instances queued by `dag run --executor bullmq` on any machine with a checkout of the same commit, until stopped (SIGTERM or Ctrl-C).')
    .addOption(new Option('--executor <kind>', 'executor to serve').choices(['bullmq']).default('bullmq'))
    .option('--concurrency <n>', 'jobs run at once, each in a worker thread (default: number of cores)', positiveInt)
    .option('--name <name>', 'name in run logs and `dag status --workers` (default: host-pid)')
    .option('--json', 'log one JSON object per job on stderr')
    .action(async (opts: Opts & { concurrency?: number; name?: string }) => {
      const project = await deps.open(opts);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      try {
        // loaded here, not at start-up: every other command would pay for BullMQ and ioredis
        const { serveWorker } = await import('./serve.js');
        await serveWorker(project, { concurrency: opts.concurrency ?? availableParallelism(), name: opts.name, json: Boolean(opts.json), logger });
      } finally {
        await closeLogger(logger);
      }
    });
}
