import type winston from 'winston';
import type { Project } from '../project.js';
import { resolveCacheConfig, type CacheFlags } from './settings.js';
import { RunCache } from './runCache.js';

/** The project's stores for one command; undefined with --no-cache. `localOnly` leaves the remote closed. */
export async function openRunCache(project: Project, flags: CacheFlags & { localOnly?: boolean }, logger: winston.Logger): Promise<RunCache | undefined> {
  if (flags.noCache) return undefined;
  const cfg = resolveCacheConfig(project.config, project.configFile, project.stateDir, flags);
  return RunCache.open(flags.localOnly ? { ...cfg, remote: undefined } : cfg, logger);
}
