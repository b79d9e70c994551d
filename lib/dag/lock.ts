import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../io/canonicalJson.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Project } from './project.js';
import { UserError } from './errors.js';

const lockSchema = z.strictObject({
  version: z.literal(1),
  target: z.string(),
  instances: z.record(z.string(), z.strictObject({ key: z.string(), outputs: z.record(z.string(), z.string()) })),
});

export type LockFile = z.infer<typeof lockSchema>;

export function lockPath(project: Project): string {
  return join(project.dag.root, 'dag.lock');
}

/** Cache key and output hashes of every instance of a target, from the runner's records. */
export function buildLock(project: Project, target: string, ids: string[]): LockFile {
  const instances: LockFile['instances'] = {};
  for (const id of ids) {
    const rec = project.state.records.get(id);
    if (!rec || rec.status !== 'ok') throw new UserError(`cannot write dag.lock: ${id} has no successful run`);
    instances[id] = { key: rec.key, outputs: rec.outputs };
  }
  return { version: 1, target, instances };
}

/** Sorted, indented JSON: diffs of dag.lock in review show exactly which artifacts changed. */
export function writeLock(project: Project, lock: LockFile): void {
  writeFileAtomic(lockPath(project), canonicalJson(lock));
}

export function readLock(file: string): LockFile {
  if (!existsSync(file)) throw new UserError(`${file}: no lock file (write one with \`dag run <target> --update-lock\`)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: not a dag.lock file: ${(err as Error).message}`);
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) throw new UserError(`${file}: not a dag.lock file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
