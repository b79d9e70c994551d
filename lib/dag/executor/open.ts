import type winston from 'winston';
import type { Project } from '../project.js';
import type { RunCache } from '../store/runCache.js';
import { resolveExecutorConfig } from './settings.js';
import type { Executor } from './executor.js';

/** The run's executor when it is not the default local one (the BullMQ client loads only then). */
export async function openExecutor(project: Project, flag: string | undefined, cache: RunCache | undefined, logger: winston.Logger): Promise<Executor | undefined> {
  const cfg = resolveExecutorConfig(project.config, project.configFile, flag);
  if (cfg.kind === 'local') return undefined;
  const { BullmqExecutor } = await import('./bullmq.js');
  return BullmqExecutor.open(project, cfg, cache, logger);
}
