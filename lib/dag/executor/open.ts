import type winston from 'winston';
import type { Project } from '../project.js';
import type { RunCache } from '../store/runCache.js';
import { resolveExecutorConfig } from './settings.js';
import type { Executor } from './executor.js';
import { UserError } from '../errors.js';

/** The run's executor when it is not the default local one (the BullMQ client loads only then). */
export async function openExecutor(project: Project, flag: string | undefined, cache: RunCache | undefined, logger: winston.Logger): Promise<Executor | undefined> {
  const cfg = resolveExecutorConfig(project.config, project.configFile, flag);
  if (cfg.kind === 'local') return undefined;
  const { BullmqExecutor } = await import('./bullmq.js');
  return BullmqExecutor.open(project, cfg, cache, logger);
}

/**
 * An incremental run continues from the outputs in this folder (a task splices its own previous
 * output), which a worker on another machine does not have, so it runs on the local executor.
 * Asked for BullMQ on the command line that is an error, not a silent switch; configured in the
 * settings (for full runs) it is a note.
 */
export function localForIncremental(project: Project, target: string, flag: string | undefined, logger: winston.Logger): void {
  if (flag === 'bullmq') throw new UserError(`dag run ${target}: an incremental run continues from the outputs in this folder, so it runs on the local executor: drop --executor bullmq (full targets run on the workers)`);
  const cfg = resolveExecutorConfig(project.config, project.configFile, flag);
  if (cfg.kind !== 'local') logger.info(`${target} runs incrementally on the local executor (executor.kind ${cfg.kind} in ${project.configFile} is for full runs)`);
}
