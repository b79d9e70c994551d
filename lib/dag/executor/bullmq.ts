import { Job, Queue, QueueEvents } from 'bullmq';
import { appendLedger, ledgerPath } from '../ledger.js';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type winston from 'winston';
import type { Project } from '../project.js';
import { UserError } from '../errors.js';
import { openRemote, type RemoteStore } from '../store/remote.js';
import type { RunCache } from '../store/runCache.js';
import type { ExecRequest, ExecResult, Executor } from './executor.js';
import type { ExecutorConfig } from './settings.js';
import { connectChecked, redactUrl, redisOptions } from './redis.js';
import { checkoutCode, codeDifferences, queueName, type CheckoutCode } from './codeFingerprint.js';
import { jobFailureSchema, jobId, jobResultSchema, type JobData, type JobResult } from './job.js';
import { jobFiles, uploadFiles } from './fileSet.js';
import { announceRun, HEARTBEAT_MS, listWorkers, refusals, retireRun } from './registry.js';

type JobEnd = { ok: true; result: JobResult } | { ok: false; error: string; worker?: string };

interface Pending {
  id: string;
  name: string;
  data: JobData;
  /** Everyone waiting for the job: two variants of a sweep may need the same key at once (--force). */
  waiters: ((end: JobEnd) => void)[];
}

/**
 * The coordinator's side of the BullMQ executor. The scheduler (runner.ts) keeps the DAG: it
 * hands over an instance only when its inputs are done. Here the instance's files are uploaded
 * to the remote store, a job named by its cache key is queued on the queue of this checkout's
 * code, and when a worker has put the outputs into the store they are restored into the work
 * folder through the run's cache, re-hashed like any other restore. The work folder is the
 * request's project: one executor (one connection, one run id, one Ctrl-C handler) serves every
 * variant of a sweep, since jobs are self-contained and the code is the same.
 */
export class BullmqExecutor implements Executor {
  readonly kind = 'bullmq';
  readonly runId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly pending = new Map<string, Pending>();
  /** Jobs this run queued that have not ended: what Ctrl-C or a failed run takes off the queue. */
  private readonly queued = new Set<string>();
  private readonly knownBlobs = new Set<string>();
  private readonly reportedRefusals = new Set<string>();
  private timer?: NodeJS.Timeout;
  private lastRedisOk = Date.now();
  private lastMatchingWorker = Date.now();
  private failedAll?: string;
  private closing = false;
  private readonly onSignal = () => void this.interrupt();

  private constructor(
    private readonly cfg: ExecutorConfig & { redis: string },
    private readonly cache: RunCache,
    private readonly remote: RemoteStore,
    private readonly client: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly code: CheckoutCode,
    private readonly logger: winston.Logger,
  ) {}

  static async open(project: Project, cfg: ExecutorConfig, cache: RunCache | undefined, logger: winston.Logger): Promise<BullmqExecutor> {
    if (!cfg.redis) throw new UserError('the bullmq executor needs a Redis URL (executor.redis or DAG_REDIS_URL)');
    if (!cache) throw new UserError('the bullmq executor exchanges files through the cache store: it cannot run with --no-cache');
    const remote = await openRemote(cache.cfg);
    if (!remote) throw new UserError(`the bullmq executor needs a remote store that workers share (cache.remote in ${project.configFile})`);
    const client = await connectChecked(cfg.redis, 3000);
    const code = checkoutCode(project);
    const connection = redisOptions(cfg.redis);
    const name = queueName(code.fingerprint);
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    queue.on('error', () => undefined); // the health check reports a lost Redis once, clearly
    events.on('error', () => undefined);
    await events.waitUntilReady();
    const ex = new BullmqExecutor({ ...cfg, redis: cfg.redis }, cache, remote, client, queue, events, code, logger);
    events.on('completed', ({ jobId: id, returnvalue }) => ex.settleCompleted(id, returnvalue));
    events.on('failed', ({ jobId: id, failedReason }) => ex.settleFailed(id, failedReason));
    events.on('removed', ({ jobId: id }) => ex.requeue(id));
    await ex.heartbeat();
    ex.timer = setInterval(() => void ex.heartbeat(), Math.min(HEARTBEAT_MS, cfg.redis_timeout_seconds * 500));
    process.once('SIGINT', ex.onSignal);
    process.once('SIGTERM', ex.onSignal);
    logger.info(`executor bullmq: queue ${name} on ${redactUrl(cfg.redis)}, files through ${remote.url}`);
    return ex;
  }

  async run(req: ExecRequest): Promise<ExecResult> {
    if (this.failedAll) return { ok: false, logs: [], error: this.failedAll };
    const { project, inst, spec, key } = req;
    const id = jobId(key);
    let data: JobData;
    try {
      // an incremental run extends the instance's own outputs: they travel with the inputs
      const own = spec.mode === 'incremental' ? Object.fromEntries(inst.outputs.map((o) => [o, project.memo.hash(project.abs(o))])) : {};
      const files = jobFiles({ ...req.parts.inputs, ...own }, project.abs, project.memo);
      await uploadFiles(this.remote, files, project.abs, this.knownBlobs);
      // the work folder and the ledger of written files are this machine's: the worker has its own
      const { workdir: _local, ledger: _ledger, inputHashes: _hashes, ...portable } = spec;
      data = {
        version: 1, run: this.runId, instance: inst.id, key, task: inst.node.task, inProcess: inst.node.in_process,
        spec: portable, nodeParts: req.nodeParts, inputs: req.parts.inputs, outputs: req.parts.outputs, ...(req.parts.item !== undefined ? { item: req.parts.item } : {}), files,
      };
    } catch (err) {
      return { ok: false, logs: [], error: `could not upload the inputs of ${inst.id} to ${this.remote.url}: ${(err as Error).message}` };
    }
    for (let attempt = 0; ; attempt++) {
      const queued = await this.enqueue(id, inst.id, data);
      if ('error' in queued) return { ok: false, logs: [], error: queued.error };
      const outcome = await queued.done;
      if (!outcome.ok) return { ok: false, logs: [], error: outcome.error, ...(outcome.worker ? { worker: outcome.worker } : {}) };
      const { worker, logs, report } = outcome.result;
      const ledger = spec.ledger;
      const beforePlace = ledger ? (files: { abs: string; hash: string }[]) => appendLedger(ledger, files.map((f) => ({ path: ledgerPath(project.workdir, f.abs), hash: f.hash }))) : undefined;
      const restored = await this.cache.restore({ id: inst.id, outputs: inst.outputs, abs: project.abs, memo: project.memo, beforePlace }, key);
      if (restored) return { ok: true, logs, worker, ...(report ? { report } : {}) };
      // a job found finished when queued made its outputs for a store this run cannot read (or
      // they were collected since): it is made again, once
      if (queued.finishedBefore && attempt === 0) {
        await this.queue.remove(id).catch(() => undefined);
        continue;
      }
      return { ok: false, logs, worker, error: `worker ${worker} ran ${inst.id}, but its outputs (key ${key}) could not be restored from ${this.remote.url}` };
    }
  }

  /** Queue a job (or join the one with its id) and a promise of its end. */
  private async enqueue(id: string, name: string, data: JobData): Promise<{ done: Promise<JobEnd>; finishedBefore: boolean } | { error: string }> {
    const waiting = this.pending.get(id);
    if (waiting) {
      // this executor already waits for that job (another variant's instance with the same key): wait with it
      return { done: new Promise<JobEnd>((settle) => waiting.waiters.push(settle)), finishedBefore: false };
    }
    // listen before adding: the job may end before add() returns
    const done = new Promise<JobEnd>((settle) => this.pending.set(id, { id, name, data, waiters: [settle] }));
    try {
      // a job with this id already queued, running or done (another coordinator, an earlier run) is that job, not a new one
      const job = await this.add(name, data, id);
      const state = await job.getState();
      if (state === 'completed') this.settleCompleted(id, (await Job.fromId(this.queue, id))?.returnvalue);
      else if (state === 'failed') this.settleFailed(id, (await Job.fromId(this.queue, id))?.failedReason ?? 'failed');
      return { done, finishedBefore: state === 'completed' };
    } catch (err) {
      this.pending.delete(id);
      return { error: `could not queue ${name} on Redis ${redactUrl(this.cfg.redis)}: ${(err as Error).message}` };
    }
  }

  private async add(name: string, data: JobData, id: string): Promise<Job> {
    const job = await this.queue.add(name, data, { jobId: id, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: true });
    this.queued.add(id);
    return job;
  }

  /** A job this run waits for was removed by someone else (another coordinator's Ctrl-C): queue it again. */
  private requeue(id: string): void {
    const p = this.pending.get(id);
    if (!p || this.closing) return;
    this.add(p.name, p.data, id).catch((err: Error) => {
      this.pending.delete(id);
      settleAll(p, { ok: false, error: `could not queue ${p.name} again on Redis ${redactUrl(this.cfg.redis)}: ${err.message}` });
    });
  }

  private settleCompleted(id: string, raw: unknown): void {
    this.queued.delete(id);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const parsed = jobResultSchema.safeParse(typeof raw === 'string' ? safeJson(raw) : raw);
    settleAll(p, parsed.success ? { ok: true, result: parsed.data } : { ok: false, error: `job ${id} returned no valid result` });
  }

  private settleFailed(id: string, reason: string): void {
    this.queued.delete(id);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const f = jobFailureSchema.safeParse(safeJson(reason));
    if (!f.success) settleAll(p, { ok: false, error: `job failed: ${reason}` });
    else {
      for (const line of f.data.logs) this.logger.info(`  ${id}: ${line}`);
      settleAll(p, { ok: false, worker: f.data.worker, error: `${f.data.error} (on worker ${f.data.worker})` });
    }
  }

  /** Every pending instance fails with one reason (Redis lost, no worker for this code). */
  private failAll(reason: string): void {
    this.failedAll = reason;
    for (const p of [...this.pending.values()]) {
      this.pending.delete(p.id);
      settleAll(p, { ok: false, error: reason });
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      await announceRun(this.client, { run: this.runId, host: hostname(), pid: process.pid, started: new Date().toISOString(), ...this.code });
      const workers = await listWorkers(this.client);
      for (const [worker, why] of Object.entries(await refusals(this.client, this.runId))) {
        if (this.reportedRefusals.has(worker)) continue;
        this.reportedRefusals.add(worker);
        this.logger.warn(`worker ${worker} does not run this checkout's code and gets none of its jobs: ${why}`, { event: 'refused', worker });
      }
      this.lastRedisOk = Date.now();
      if (workers.some((w) => w.fingerprint === this.code.fingerprint)) this.lastMatchingWorker = Date.now();
      else if (this.pending.size > 0 && Date.now() - this.lastMatchingWorker > this.cfg.worker_wait_seconds * 1000) {
        const others = workers.map((w) => `${w.id} (${codeDifferences(this.code, w).slice(0, 3).join(', ')})`);
        this.failAll(`no dag worker runs this checkout's code (queue ${this.queue.name}) after ${this.cfg.worker_wait_seconds} s${others.length ? `; connected workers differ: ${others.join('; ')}` : '; no worker is connected'}`);
      }
    } catch (err) {
      if (Date.now() - this.lastRedisOk > this.cfg.redis_timeout_seconds * 1000 && !this.failedAll) {
        this.failAll(`lost the connection to Redis at ${redactUrl(this.cfg.redis)} (${(err as Error).message}); a rerun restores what reached ${this.remote.url}`);
      }
    }
  }

  /** Ctrl-C: take this run's jobs that no worker has started off the queue, then exit 130. */
  private async interrupt(): Promise<void> {
    this.closing = true;
    this.logger.warn(`interrupted: removing ${this.queued.size} queued job(s) from ${this.queue.name}`);
    await this.removePending();
    process.exit(130);
  }

  private async removePending(): Promise<void> {
    for (const id of this.queued) {
      // a job a worker holds is locked and stays: its outputs still land in the store
      await this.queue.remove(id).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    // a Redis that is gone must not hold the process: each step gets a second
    const quit = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    // jobs left by a failed run (a failure without --keep-going, no worker for this code) leave the queue with it
    await quit(this.removePending());
    await quit(retireRun(this.client, this.runId));
    await quit(this.events.close());
    await quit(this.queue.close());
    // a close that did not finish (Redis gone) leaves connections that reconnect forever and keep the process alive
    await quit(this.events.disconnect());
    await quit(this.queue.disconnect());
    this.client.disconnect();
    this.remote.close();
  }
}

function settleAll(p: Pending, end: JobEnd): void {
  for (const settle of p.waiters) settle(end);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
