import { UnrecoverableError, Worker } from 'bullmq';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type winston from 'winston';
import type { Project } from '../project.js';
import { UserError } from '../errors.js';
import { WorkerPool } from '../workerPool.js';
import { FileStore } from '../store/fileStore.js';
import { openRemote } from '../store/remote.js';
import { resolveCacheConfig } from '../store/settings.js';
import { resolveExecutorConfig } from '../executor/settings.js';
import { connectChecked, redactUrl, redisOptions } from '../executor/redis.js';
import { checkoutCode, codeDifferences, queueName } from '../executor/codeFingerprint.js';
import { announceWorker, HEARTBEAT_MS, listRuns, refuse, retireWorker } from '../executor/registry.js';
import { JobError, runJob, type WorkerEnv } from './runJob.js';
import { untilStopSignal } from '../interrupt.js';

export interface ServeOptions {
  concurrency: number;
  name?: string;
  json: boolean;
  logger: winston.Logger;
}

/** The commit of a checkout, for `dag status --workers` ('unknown' outside git). */
function commitOf(root: string): string {
  const r = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/**
 * `dag worker`: takes jobs from the BullMQ queue of this checkout's code until it is stopped
 * (SIGTERM or Ctrl-C let running jobs finish). A worker only listens on its own code's queue, so
 * a job it cannot reproduce never reaches it; it tells each coordinator with other code why
 * through Redis, and logs it. One line per job on stderr (or one JSON object with --json).
 */
export async function serveWorker(project: Project, opts: ServeOptions): Promise<void> {
  const cfg = resolveExecutorConfig(project.config, project.configFile, 'bullmq');
  const cacheCfg = resolveCacheConfig(project.config, project.configFile, project.stateDir, { remoteWrite: true });
  const remote = await openRemote(cacheCfg);
  if (!remote) throw new UserError(`a dag worker needs the remote store its coordinators use (cache.remote in ${project.configFile})`);
  const client = await connectChecked(cfg.redis!, 3000);
  const code = checkoutCode(project);
  const queue = queueName(code.fingerprint);
  const name = opts.name ?? `${hostname()}-${process.pid}`;
  // scratch folders a killed worker of this name left behind go first
  const scratch = join(project.stateDir, 'worker-scratch', name);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const pool = new WorkerPool(opts.concurrency);
  const env: WorkerEnv = { name, project, pool, local: new FileStore(cacheCfg.localDir), remote, scratch, signingKey: cacheCfg.signingKey };
  const stats = { active: 0, done: 0, failed: 0 };
  const commit = commitOf(project.dag.root);
  const started = new Date().toISOString();
  const line = (fields: Record<string, unknown>, text: string) => {
    if (opts.json) process.stderr.write(JSON.stringify({ time: new Date().toISOString(), worker: name, ...fields }) + '\n');
    else opts.logger.info(text);
  };

  const worker = new Worker(queue, async (job) => {
    stats.active++;
    const t0 = performance.now();
    try {
      const result = await runJob(env, job.data);
      stats.done++;
      const ms = Math.round(performance.now() - t0);
      line({ event: 'job', instance: job.name, key: job.data.key, status: result.reused ? 'reused' : 'ran', ms, attempt: job.attemptsMade + 1 }, `${result.reused ? 'reused' : 'ran'} ${job.name} key ${String(job.data.key).slice(0, 12)} in ${ms} ms`);
      return result;
    } catch (err) {
      stats.failed++;
      const e = err as Error;
      const logs = err instanceof JobError ? err.logs : [];
      line({ event: 'job', instance: job.name, key: job.data?.key, status: 'failed', error: e.message }, `failed ${job.name}: ${e.message}`);
      // a task's error is deterministic: retrying it elsewhere would fail the same way
      throw new UnrecoverableError(JSON.stringify({ worker: name, error: e.message, logs }));
    } finally {
      stats.active--;
    }
  }, {
    connection: redisOptions(cfg.redis!),
    concurrency: opts.concurrency,
    lockDuration: cfg.lock_seconds * 1000,
    stalledInterval: cfg.stalled_check_seconds * 1000,
    // a job whose worker died goes back to the queue for another worker (twice at most)
    maxStalledCount: 2,
  });
  worker.on('error', (err) => opts.logger.warn(`worker: ${err.message}`));

  const refusedRuns = new Set<string>();
  const heartbeat = async () => {
    try {
      await announceWorker(client, { id: name, host: hostname(), pid: process.pid, commit, queue, concurrency: opts.concurrency, ...stats, started, ...code });
      for (const run of await listRuns(client)) {
        if (run.fingerprint === code.fingerprint || refusedRuns.has(run.run)) continue;
        refusedRuns.add(run.run);
        const why = `code differs: ${codeDifferences(code, run).join(', ')}`;
        line({ event: 'refuse', run: run.run, coordinator: run.host, reason: why }, `refusing the jobs of run ${run.run} (coordinator ${run.host}): ${why}`);
        await refuse(client, run.run, name, why);
      }
    } catch {
      // Redis is away: BullMQ reconnects, and so does the next heartbeat
    }
  };
  await heartbeat();
  const timer = setInterval(() => void heartbeat(), HEARTBEAT_MS);
  await worker.waitUntilReady();
  line({ event: 'start', queue, commit, concurrency: opts.concurrency }, `dag worker ${name}: queue ${queue} on ${redactUrl(cfg.redis!)}, commit ${commit}, concurrency ${opts.concurrency}, files through ${remote.url}`);

  await untilStopSignal();
  line({ event: 'stop' }, `dag worker ${name}: stopping after the running jobs`);
  clearInterval(timer);
  await worker.close();
  await retireWorker(client, name).catch(() => undefined);
  client.disconnect();
  remote.close();
  await pool.close();
}
