import { z } from 'zod';
import { UserError } from '../errors.js';

const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');

/**
 * The `executor:` section of the settings file. Read by the engine only, never by a task: where
 * an instance runs never changes what it computes, so none of this enters a cache key.
 */
export const executorSettingsSchema = z.strictObject({
  kind: z.enum(['local', 'bullmq']).default('local'),
  /** redis://[user:password@]host:port/db or rediss:// (TLS); DAG_REDIS_URL overrides it. */
  redis: redisUrl.optional(),
  /** Seconds a worker's lock on a job lasts without renewal: a killed worker's job is re-delivered after about this long. */
  lock_seconds: z.number().positive().default(30),
  /** Seconds between the workers' checks for jobs whose worker died (BullMQ's stalled-job check). */
  stalled_check_seconds: z.number().positive().default(30),
  /** Seconds a run waits for a worker that runs its code before it fails. */
  worker_wait_seconds: z.number().positive().default(60),
  /** Seconds without Redis after which a run fails (a worker keeps reconnecting). */
  redis_timeout_seconds: z.number().positive().default(5),
});

export type ExecutorSettings = z.infer<typeof executorSettingsSchema>;

export interface ExecutorConfig extends Omit<ExecutorSettings, 'redis'> {
  redis?: string;
}

/** Settings, then DAG_REDIS_URL, then `--executor`. A bullmq executor without a URL is a usage error. */
export function resolveExecutorConfig(config: unknown, configFile: string, flag?: string, env: NodeJS.ProcessEnv = process.env): ExecutorConfig {
  const raw = config !== null && typeof config === 'object' ? (config as Record<string, unknown>).executor : undefined;
  const parsed = executorSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${configFile}: executor.${issue.path.join('.')}: ${issue.message}`);
  }
  const kind = flag === undefined ? parsed.data.kind : z.enum(['local', 'bullmq']).safeParse(flag).data;
  if (!kind) throw new UserError(`--executor: '${flag}' is not an executor (local, bullmq)`);
  const url = env.DAG_REDIS_URL || parsed.data.redis;
  if (url !== undefined && !redisUrl.safeParse(url).success) throw new UserError(`DAG_REDIS_URL: '${url}' is not a redis:// or rediss:// URL`);
  if (kind === 'bullmq' && !url) throw new UserError(`the bullmq executor needs a Redis URL: executor.redis in ${configFile} or DAG_REDIS_URL`);
  return { ...parsed.data, kind, redis: url };
}
