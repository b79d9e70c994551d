import { TaskContext } from '../context.js';
import { runTask } from '../loadTask.js';
import { WorkerPool } from '../workerPool.js';
import { oneLine, stackOf } from '../errorText.js';
import type { ExecRequest, ExecResult, Executor } from './executor.js';

/** Today's executor: worker threads of this process, or its main thread for `in_process` nodes. */
export class LocalExecutor implements Executor {
  readonly kind = 'local';

  /** `owned`: the pool was made here and closes with the executor (a caller's shared pool does not). */
  constructor(readonly pool: WorkerPool, private readonly owned: boolean) {}

  async run(req: ExecRequest): Promise<ExecResult> {
    if (!req.inst.node.in_process) return this.pool.run(req.modulePath, req.spec);
    return runInProcess(req.modulePath, req.spec);
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.close();
  }
}

/** A task in the calling thread (the main thread, or a worker thread of the pool: worker.ts), its outcome as plain data. */
export async function runInProcess(modulePath: string, spec: ExecRequest['spec']): Promise<ExecResult> {
  const ctx = new TaskContext(spec);
  try {
    await runTask(modulePath, ctx);
    return { ok: true, logs: ctx.logs, report: ctx.reported, written: ctx.written };
  } catch (err) {
    return { ok: false, logs: ctx.logs, error: oneLine(err, spec.workdir), errorName: (err as Error)?.name, stack: stackOf(err) };
  }
}
