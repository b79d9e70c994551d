import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { parseSize } from './size.js';

/**
 * The `cache:` section of the settings file. It is read by the engine, never by a task, and no
 * node may declare it as a param: where results are kept never changes what they are.
 */
export const cacheSettingsSchema = z.strictObject({
  /** Local store folder; relative paths resolve against the settings file's folder. */
  dir: z.string().min(1).optional(),
  /** Shared store: file:///path or s3://bucket/prefix. */
  remote: z.string().regex(/^(file:\/\/\/|s3:\/\/[^/]+)/, 'must start with file:/// or s3://bucket').optional(),
  /** S3 endpoint for MinIO, Ceph, R2 and the like (http://host:port). */
  remote_endpoint: z.string().url('must be a URL such as http://127.0.0.1:9000').optional(),
  remote_region: z.string().min(1).optional(),
  /** Upload each successful instance's outputs (off by default: only trusted CI writes). */
  remote_write: z.boolean().default(false),
  /** Seconds one remote operation may take before the remote counts as down for this run. */
  timeout: z.number().positive().default(10),
  /**
   * Limits of the local store, applied after a run that stored results (at most once a day) as
   * `dag cache gc --max-size/--max-age-days` would: a daily run adds every ticker's new artifacts.
   */
  max_size: z.union([z.number().int().nonnegative(), z.string().refine(isSize, 'must be a size such as 500M or 20G')]).optional(),
  max_age_days: z.number().nonnegative().optional(),
});

function isSize(text: string): boolean {
  try {
    parseSize(text);
    return true;
  } catch {
    return false;
  }
}

export type CacheSettings = z.infer<typeof cacheSettingsSchema>;

/** What a command line adds to the settings. */
export interface CacheFlags {
  /** `--no-cache`: neither read nor write any store in this run. */
  noCache?: boolean;
  remoteWrite?: boolean;
  requireRemote?: boolean;
}

/** How far a store may grow (`cache.max_size`, `cache.max_age_days`; gcCheckout.ts). */
export interface GcLimits {
  maxAgeDays?: number;
  maxBytes?: number;
}

/** Where the stores are and what a run may do with them, settings and environment resolved. */
export interface CacheConfig {
  localDir: string;
  remote?: string;
  endpoint?: string;
  region?: string;
  remoteWrite: boolean;
  requireRemote: boolean;
  /** Who needs the remote, for the error when it fails (default: the option `--require-remote`). */
  remoteNeededBy?: string;
  timeoutMs: number;
  /** HMAC key for manifests (DAG_CACHE_SIGNING_KEY), when set. */
  signingKey?: string;
  /** `cache.max_size` and `cache.max_age_days` (gcCheckout.ts's autoGc). */
  limits: GcLimits;
}

/**
 * The cache configuration of a project: the optional `cache` key of its loaded config (parsed
 * here again, so a project whose settings loader knows nothing of it still gets a clear error),
 * then the environment (DAG_CACHE_DIR beats cache.dir), then the flags.
 */
export function resolveCacheConfig(config: unknown, configFile: string, stateDir: string, flags: CacheFlags = {}, env: NodeJS.ProcessEnv = process.env): CacheConfig {
  const raw = config !== null && typeof config === 'object' ? (config as Record<string, unknown>).cache : undefined;
  const parsed = cacheSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${configFile}: cache.${issue.path.join('.')}: ${issue.message}`);
  }
  const s = parsed.data;
  const base = resolve(configFile, '..');
  const localDir = env.DAG_CACHE_DIR ? resolve(env.DAG_CACHE_DIR) : s.dir ? (isAbsolute(s.dir) ? s.dir : resolve(base, s.dir)) : resolve(stateDir, 'cache');
  return {
    localDir,
    remote: s.remote,
    endpoint: s.remote_endpoint,
    region: s.remote_region,
    remoteWrite: Boolean(flags.remoteWrite) || s.remote_write,
    requireRemote: Boolean(flags.requireRemote),
    timeoutMs: Math.round(s.timeout * 1000),
    signingKey: env.DAG_CACHE_SIGNING_KEY || undefined,
    limits: { ...(s.max_size !== undefined ? { maxBytes: typeof s.max_size === 'number' ? s.max_size : parseSize(s.max_size) } : {}), ...(s.max_age_days !== undefined ? { maxAgeDays: s.max_age_days } : {}) },
  };
}
