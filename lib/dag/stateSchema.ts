import { z } from 'zod';

/**
 * Shapes of the run-state files, for validation on read: a truncated or hand-edited state file
 * must give one warning line and a recovery, never a crash deep inside the runner.
 */
const nodeParts = z.object({
  decl: z.string(),
  code: z.record(z.string(), z.string()),
  params: z.record(z.string(), z.unknown()),
  engine: z.string(),
});

export const instanceRecordSchema = z.object({
  status: z.enum(['ok', 'failed']),
  key: z.string(),
  parts: z.object({
    nodeKey: z.string(),
    inputs: z.record(z.string(), z.string().nullable()),
    outputs: z.array(z.string()),
  }),
  outputs: z.record(z.string(), z.string()),
  ms: z.number(),
  error: z.string().optional(),
  inputLines: z.record(z.string(), z.number()).optional(),
  inputSizes: z.record(z.string(), z.number()).optional(),
});

/** records.json's outer shape; its entries are checked one by one, so one bad entry costs one instance. */
export const recordsFileSchema = z.object({
  nodes: z.record(z.string(), z.unknown()),
  records: z.record(z.string(), z.unknown()),
});

export const nodePartsSchema = nodeParts;

export const journalLineSchema = z.union([
  z.object({ id: z.string(), record: instanceRecordSchema }),
  z.object({ nodeKey: z.string(), node: nodeParts }),
]);

export const fileStampSchema = z.object({
  hash: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  ino: z.number(),
  lines: z.number().optional(),
});

/** One-line description of a zod failure: where and what. */
export function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}` : 'invalid';
}
