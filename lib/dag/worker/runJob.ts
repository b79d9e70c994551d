import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../../io/canonicalJson.js';
import { HashMemo, sha256 } from '../hashMemo.js';
import { cacheKey, flattenParams } from '../fingerprint.js';
import { taskModulePath } from '../loadTask.js';
import { nestedWorkdir } from '../nestedWorkdir.js';
import type { Project } from '../project.js';
import type { WorkerPool } from '../workerPool.js';
import type { FileStore } from '../store/fileStore.js';
import type { Store } from '../store/store.js';
import { decodeManifest } from '../store/manifest.js';
import { ingestOutputs } from '../store/ingest.js';
import { pushEntry } from '../store/transfer.js';
import { codeDifferences } from '../executor/codeFingerprint.js';
import { runInProcess } from '../executor/local.js';
import { placeFiles } from '../executor/fileSet.js';
import { jobDataSchema, type JobData, type JobResult } from '../executor/job.js';

/** What a worker process brings to every job. */
export interface WorkerEnv {
  name: string;
  project: Project;
  pool: WorkerPool;
  local: FileStore;
  remote: Store;
  /** Folder under which each job gets a scratch work folder of its own. */
  scratch: string;
  signingKey?: string;
}

/** A job this worker will not or could not run; `message` names the instance and why. */
export class JobError extends Error {
  constructor(message: string, readonly logs: string[] = []) {
    super(message);
  }
}

/**
 * One job: check that this checkout reproduces the job's key, fetch its files from the remote
 * store into a fresh scratch folder (every blob re-hashed), run the task in the same hermetic
 * context as a local run, keep the outputs in this worker's store and upload them (blobs first,
 * the manifest last). Outputs already in the remote under the key are not made again: delivery
 * is at least once, and a second delivery (a stalled job retried) finds them there.
 */
export async function runJob(env: WorkerEnv, raw: unknown): Promise<JobResult> {
  const parsed = jobDataSchema.safeParse(raw);
  if (!parsed.success) throw new JobError(`malformed job: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  const job = parsed.data;
  checkReproducible(env.project, job);
  const t0 = performance.now();
  const existing = await env.remote.getManifest(job.key);
  if (existing && typeof decodeManifest(existing, job.key, env.signingKey) !== 'string') {
    return { worker: env.name, ms: Math.round(performance.now() - t0), logs: [], reused: true };
  }
  const base = mkdtempSync(join(env.scratch, 'job-'));
  try {
    const workdir = nestedWorkdir(base, [...Object.keys(job.files), ...job.outputs]);
    const abs = (p: string) => resolve(workdir, p) + (p.endsWith('/') ? '/' : '');
    const memo = new HashMemo(join(base, 'hashes.json'));
    const problem = await placeFiles(env.remote, env.local, job.key, job.instance, job.files, abs, memo);
    if (problem) throw new JobError(`${job.instance}: could not fetch its inputs from ${env.remote.url}: ${problem}`);
    // the input hashes travel once, as the job's `inputs`
    const spec = { ...job.spec, workdir, outputTickers: job.spec.outputTickers.map((t) => t ?? undefined), inputHashes: job.inputs };
    const modulePath = taskModulePath(env.project.dag.root, env.project.dag.spec.compiled_dir, job.task);
    const result = job.inProcess ? await runInProcess(modulePath, spec) : await env.pool.run(modulePath, spec);
    if (!result.ok) throw new JobError(result.error ?? 'failed', result.logs);
    const ms = Math.round(performance.now() - t0);
    const outputs: Record<string, string> = {};
    for (const out of job.outputs) outputs[out] = memo.hash(abs(out))!;
    ingestOutputs(env.local, { key: job.key, instance: job.instance, outputs, ms, ...(result.report ? { report: result.report } : {}) }, abs, memo, env.signingKey);
    const pushed = await pushEntry(env.local, env.remote, job.key, env.signingKey, { outputs, abs });
    if ('problem' in pushed) throw new JobError(`${job.instance}: outputs made but not uploaded to ${env.remote.url}: ${pushed.problem}`, result.logs);
    return { worker: env.name, ms, logs: result.logs, ...(result.report ? { report: result.report } : {}), reused: false };
  } finally {
    // off the job's path: removing a scratch tree cost a few ms per job, as much as a tiny task
    void rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The job's key must be what this checkout would compute for it: same code closure and engine
 * (else the outputs would be stored under a key this code does not make), params that are the
 * ones hashed, inputs whose hashes are the ones hashed.
 */
function checkReproducible(project: Project, job: JobData): void {
  const mine = { engine: project.fingerprinter.engine, code: project.fingerprinter.code(job.task) };
  const diff = codeDifferences(mine, job.nodeParts);
  if (diff.length) throw new JobError(`refusing ${job.instance}: this worker's code differs from the job's: ${diff.join(', ')}`);
  const params = flattenParams(job.spec.params, job.spec.paramKeys, job.instance);
  if (canonicalJson(params, 0) !== canonicalJson(job.nodeParts.params, 0)) throw new JobError(`refusing ${job.instance}: its params are not the ones its key was made from`);
  for (const [path, hash] of Object.entries(job.inputs)) {
    if (hash !== null && job.files[path]?.hash !== hash) throw new JobError(`refusing ${job.instance}: input ${path} is not the file its key was made from`);
  }
  const nodeKey = sha256(canonicalJson({ ...job.nodeParts, ...mine }, 0));
  if (cacheKey({ nodeKey, inputs: job.inputs, outputs: job.outputs, ...(job.item !== undefined ? { item: job.item } : {}) }) !== job.key) throw new JobError(`refusing ${job.instance}: its key does not follow from its parts`);
}
