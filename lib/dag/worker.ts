import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { parquet, TaskContext, type TaskSpec } from './context.js';
import { runTask } from './loadTask.js';
import { oneLine, stackOf } from './errorText.js';

/** Worker thread: runs task instances posted by the pool, one at a time. */
parentPort!.on('message', async (msg: { id: number; modulePath: string; spec: TaskSpec } | { preload: string[] }) => {
  if ('preload' in msg) {
    // load ahead of use; a module that fails to load fails its task later, with its own message
    await parquet();
    for (const path of msg.preload) await import(pathToFileURL(path).href).catch(() => undefined);
    return;
  }
  const ctx = new TaskContext(msg.spec);
  try {
    await runTask(msg.modulePath, ctx);
    parentPort!.postMessage({ id: msg.id, ok: true, logs: ctx.logs, report: ctx.reported, written: ctx.written });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: msg.id, ok: false, logs: ctx.logs, error: oneLine(err, msg.spec.workdir), errorName: e?.name, stack: stackOf(err) });
  }
});
