import type { TaskSpec } from '../context.js';
import type { Instance } from '../plan.js';
import type { InstanceParts, NodeParts } from '../fingerprint.js';
import type { Project } from '../project.js';

/** One stale instance the scheduler hands to an executor, with everything its key is made of. */
export interface ExecRequest {
  /**
   * The project whose work folder the instance's files are in. One executor may serve several
   * (the variants of a sweep: same code, each its own folder), so it comes with each request.
   */
  project: Project;
  inst: Instance;
  spec: TaskSpec;
  /** Compiled task module in this checkout. */
  modulePath: string;
  key: string;
  parts: InstanceParts;
  nodeParts: NodeParts;
}

/** What became of it: on success its declared outputs are in the work folder. */
export interface ExecResult {
  ok: boolean;
  logs: string[];
  report?: Record<string, unknown>;
  error?: string;
  /** The error's class name (a `WriteError` stops the run: the disk is full) and its stack (for the run log). */
  errorName?: string;
  stack?: string;
  /** Who ran it, when not this process (a `dag worker`'s name). */
  worker?: string;
  /** The worker thread's lane (0, 1, ...) when it ran in this process: run logs and `dag ui` show where time went. */
  lane?: number;
  /** Output files written in this process (TaskContext.written): their hashes need no second read. */
  written?: Record<string, { hash: string; size: number }>;
}

/**
 * Where instances run: `local` (this machine's worker threads) or `bullmq` (`dag worker`
 * processes on any machine, through Redis and the remote store). The scheduler sees only this;
 * where an instance ran never enters its cache key.
 */
export interface Executor {
  readonly kind: 'local' | 'bullmq';
  run(req: ExecRequest): Promise<ExecResult>;
  close(): Promise<void>;
}

/**
 * Instances a run keeps in flight when they run on `dag worker` processes: every ready one (the
 * workers' slots bound what actually runs; the coordinator only waits).
 */
export const REMOTE_IN_FLIGHT = 1024;
