import { z } from 'zod';
import { manifestSchema } from '../store/manifest.js';

const sha = z.string().regex(/^[0-9a-f]{64}$/);

/** Files a job needs in its worker's scratch folder: path -> hash and size (directories list their files). */
export const jobFilesSchema = manifestSchema.shape.outputs;
export type JobFiles = z.infer<typeof jobFilesSchema>;

/**
 * One instance as a BullMQ job. The worker trusts none of it: it is parsed here, the key is
 * recomputed from the node's key parts with the worker's own code, and every file is re-hashed.
 */
export const jobDataSchema = z.strictObject({
  version: z.literal(1),
  /** The coordinator that enqueued it first (names it in messages). */
  run: z.string().min(1),
  instance: z.string().min(1),
  key: sha,
  task: z.string().min(1),
  inProcess: z.boolean(),
  spec: z.object({
    node: z.string(),
    ticker: z.string().optional(),
    /** The list element of a node with a `fanout` (part of the instance's key). */
    item: z.strictObject({ key: z.string(), value: z.unknown() }).optional(),
    tickers: z.array(z.string()),
    params: z.record(z.string(), z.unknown()),
    paramKeys: z.array(z.string()),
    inputs: z.array(z.object({ path: z.string(), producer: z.string().optional(), node: z.string().optional(), ticker: z.string().optional() })),
    outputs: z.array(z.string()),
    outputTickers: z.array(z.string().nullable().optional()),
    mode: z.enum(['full', 'incremental']),
    since: z.string().optional(),
    incremental: z.enum(['source', 'rows', 'carry', 'earliest']).optional(),
    lookback: z.number().optional(),
  }),
  nodeParts: z.strictObject({ decl: sha, code: z.record(z.string(), z.string()), params: z.record(z.string(), z.unknown()), engine: z.string() }),
  inputs: z.record(z.string(), sha.nullable()),
  outputs: z.array(z.string()),
  item: z.unknown().optional(),
  files: jobFilesSchema,
});

export type JobData = z.infer<typeof jobDataSchema>;

/** What a worker returns for a job it completed (its outputs are in the remote store under the key). */
export const jobResultSchema = z.strictObject({
  worker: z.string(),
  ms: z.number(),
  logs: z.array(z.string()),
  report: z.record(z.string(), z.unknown()).optional(),
  /** The outputs were already in the store (another worker or an earlier delivery made them). */
  reused: z.boolean(),
});

export type JobResult = z.infer<typeof jobResultSchema>;

/** A task that failed on a worker: carried as the job's failure reason. */
export const jobFailureSchema = z.strictObject({ worker: z.string(), error: z.string(), logs: z.array(z.string()) });
export type JobFailure = z.infer<typeof jobFailureSchema>;

/** BullMQ job ids must not contain ':' nor be plain integers; one per cache key, so the same work is queued once. */
export function jobId(key: string): string {
  return `k-${key}`;
}
