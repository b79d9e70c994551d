import { parentPort } from 'node:worker_threads';
import { TaskContext, type TaskSpec } from './context.js';
import { runTask } from './loadTask.js';

/** Worker thread: runs task instances posted by the pool, one at a time. */
parentPort!.on('message', async (msg: { id: number; modulePath: string; spec: TaskSpec }) => {
  const ctx = new TaskContext(msg.spec);
  try {
    await runTask(msg.modulePath, ctx);
    parentPort!.postMessage({ id: msg.id, ok: true, logs: ctx.logs });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: msg.id, ok: false, logs: ctx.logs, error: e?.message ?? String(err), stack: e?.stack });
  }
});
